import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../src/core/errors.js';

/** docs/errors.md's table, between its markers: `| \`CODE\` | status | message |` rows. */
function readmeErrors(): Record<string, { status: number; message: string }> {
  const readme = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  const section = readme.split('<!-- errors:start -->')[1]?.split('<!-- errors:end -->')[0] ?? '';
  const rows = [...section.matchAll(/^\| `([A-Z0-9_]+)` \| (\d{3}) \| (.+) \|$/gm)];
  return Object.fromEntries(
    rows.map(([, code, status, message]) => [
      code,
      { status: Number(status), message: message!.replaceAll('\\|', '|') },
    ]),
  );
}

describe('the error table', () => {
  it('in docs/errors.md lists exactly the codes, statuses and messages the code answers with', () => {
    expect(readmeErrors()).toEqual(ERRORS);
  });

  it('uses UPPER_SNAKE codes and error statuses only', () => {
    for (const [code, { status }] of Object.entries(ERRORS)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
    }
  });
});
