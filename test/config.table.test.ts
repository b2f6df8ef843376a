import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../src/config/schema.js';

/** The README's configuration table: `| \`VARIABLE\` | default | meaning |` rows under "## Configuration". */
function readmeSettings(): Map<string, string> {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.split(/^## Configuration$/m)[1]?.split(/^## /m)[0] ?? '';
  const rows = [...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \| ([^|]+) \|/gm)];
  return new Map(rows.map(([, name, fallback]) => [name!, fallback!.trim()]));
}

/** The default the schema gives a variable, if it gives one. */
function schemaDefault(name: string): unknown {
  const field = envSchema.shape[name as keyof typeof envSchema.shape];
  const def = (field as unknown as { _zod: { def: { type: string; defaultValue?: unknown } } })._zod.def;
  return def.type === 'default' ? def.defaultValue : undefined;
}

describe('the configuration table', () => {
  it('in the README lists exactly the variables the schema reads', () => {
    expect([...readmeSettings().keys()].sort()).toEqual(Object.keys(envSchema.shape).sort());
  });

  it('gives each variable the default the schema applies', () => {
    let compared = 0;
    for (const [name, readmeDefault] of readmeSettings()) {
      const fallback = schemaDefault(name);
      if (fallback === undefined) continue;
      expect(readmeDefault, name).toBe(`\`${String(fallback)}\``);
      compared += 1;
    }
    expect(compared).toBeGreaterThan(20);
  });
});
