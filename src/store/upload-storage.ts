import type { Readable } from 'node:stream';

/** A file written completely under its final name. */
export interface StoredUpload {
  /** Relative to the storage root (DATA_DIR/uploads): `<owner>/<name>`. */
  path: string;
  sizeBytes: number;
}

/** Uploaded files on disk, one folder per owner. */
export interface UploadStorage {
  /**
   * Streams `content` to `<owner>/<name>.part`, then renames it to `<owner>/<name>` once complete.
   * On any error (the source failing, the client going away, the disk) the partial file is
   * deleted and the error rethrown: a file under its final name is always whole.
   */
  save(owner: string, name: string, content: Readable): Promise<StoredUpload>;
  /** Deletes a stored file; a file already gone is not an error. */
  remove(path: string): Promise<void>;
  /** The absolute path of a stored file. */
  resolve(path: string): string;
}
