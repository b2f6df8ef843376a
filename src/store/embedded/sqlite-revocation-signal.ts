import type { RevocationSignal } from '../revocation-signal.js';
import type { EmbeddedFile } from '../sql/database.js';

/**
 * The embedded default's signal: an announcement pokes this process at once; another process on
 * the DATA_DIR (the CLI, a second server) is seen when the file's data version moves, which any of
 * its commits does (the poke then costs one read that may find nothing new).
 */
export function createSqliteRevocationSignal(file: EmbeddedFile): RevocationSignal {
  const listeners: (() => void)[] = [];
  let seenVersion = file.dataVersion();
  const poke = () => {
    for (const listener of listeners) listener();
  };
  return {
    announce: poke,
    onPoke: (listener) => void listeners.push(listener),
    check() {
      const version = file.dataVersion();
      if (version === seenVersion) return;
      seenVersion = version;
      poke();
    },
    close: async () => {},
  };
}
