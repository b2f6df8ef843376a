import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDataDir } from './data-dir.js';
import type { Config } from './load-config.js';

const SECRET_FILE = 'secret.key';

/**
 * LATCHKEY_SECRET when set; on the embedded default, a secret generated once into DATA_DIR
 * (mode 0600) and read back on every start, so restarts keep decrypting what was stored.
 */
export function resolveSecret(config: Pick<Config, 'secret' | 'dataDir'>): string {
  if (config.secret) return config.secret;
  createDataDir(config.dataDir);
  const path = join(config.dataDir, SECRET_FILE);
  // Written whole to a private file, then linked into place: link is atomic and fails if the
  // file exists, so a process starting at the same moment never reads a half-written secret.
  const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
  try {
    linkSync(draft, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(draft);
  }
  return readFileSync(path, 'utf8').trim();
}
