import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { errorCode, StartupError } from './startup-error.js';

/**
 * Creates `dir` and its missing parents, owner-only. Not mkdirSync's `recursive`: on a file
 * system that answers ENOENT for a folder under an existing one (/proc, /sys), Node's recursive
 * mkdir retries the parent for ever.
 */
function createFolders(dir: string): void {
  try {
    if (statSync(dir).isDirectory()) return;
    throw Object.assign(new Error(`${dir} is not a folder`), { code: 'ENOTDIR' });
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
  const parent = dirname(dir);
  if (parent !== dir) createFolders(parent);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
  }
}

/** Makes sure DATA_DIR exists, or stops start-up with one line saying why it cannot. */
export function createDataDir(dir: string): void {
  try {
    createFolders(dir);
  } catch (error) {
    const code = errorCode(error) ?? 'unknown error';
    throw new StartupError(
      `DATA_DIR: cannot create ${dir} (${code}); choose a folder this user can write, or create it first`,
      { cause: error },
    );
  }
}
