import { readFileSync } from 'node:fs';

// dist/version.js and src/version.ts both sit one folder below package.json.
export const { version: VERSION } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
