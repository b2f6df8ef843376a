import { mkdir, open, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { UploadStorage } from '../upload-storage.js';

// Owners and names are our own random ids (a name with the extension the content was detected
// as); anything else reaching here is a bug (or a traversal).
const OWNER = /^[A-Za-z0-9_-]{1,128}$/;
const NAME = /^[A-Za-z0-9_-]{1,128}(\.[a-z0-9]{1,10})?$/;

function checkSegment(option: 'owner' | 'name', value: string): void {
  const pattern = option === 'owner' ? OWNER : NAME;
  if (!pattern.test(value))
    throw new TypeError(`UploadStorage: ${option} must match ${pattern} (got ${JSON.stringify(value)})`);
}

/** Upload storage rooted at `root` (DATA_DIR/uploads), created on first use with owner-only access. */
export function createUploadStorage(root: string): UploadStorage {
  const absolute = (path: string): string => {
    const [owner, name, ...rest] = path.split('/');
    if (owner === undefined || name === undefined || rest.length > 0)
      throw new TypeError(`UploadStorage: bad path ${JSON.stringify(path)}`);
    checkSegment('owner', owner);
    checkSegment('name', name);
    return join(root, owner, name);
  };

  return {
    async save(owner, name, content) {
      checkSegment('owner', owner);
      checkSegment('name', name);
      const dir = join(root, owner);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const finalPath = join(dir, name);
      const partPath = `${finalPath}.part`;
      // Opened before piping (not lazily by a stream), so the file exists by the time any error
      // can arrive and the cleanup below never races its creation.
      const handle = await open(partPath, 'wx', 0o600);
      let sizeBytes = 0;
      try {
        // One chunk in flight at a time: the source is paused while the disk catches up.
        await pipeline(content, async (source: AsyncIterable<Buffer>) => {
          for await (const chunk of source) {
            // write() may take less than the whole chunk.
            for (let offset = 0; offset < chunk.length; ) offset += (await handle.write(chunk, offset)).bytesWritten;
            sizeBytes += chunk.length;
          }
        });
        // The rename publishes the file: its bytes reach the disk first.
        await handle.sync();
        await handle.close();
        await rename(partPath, finalPath);
      } catch (error) {
        await handle.close().catch(() => {});
        await rm(partPath, { force: true });
        throw error;
      }
      return { path: `${owner}/${name}`, sizeBytes };
    },

    async remove(path) {
      await unlink(absolute(path)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    },

    resolve: absolute,
  };
}
