/**
 * Where the client keeps the refresh token when it holds it itself (Node, React Native, or the
 * flat surface in a browser). Each method may return a promise: AsyncStorage, a keychain, a file.
 */
export interface TokenStorage {
  get(key: string): string | null | undefined | Promise<string | null | undefined>;
  set(key: string, value: string): void | Promise<void>;
  remove(key: string): void | Promise<void>;
}

/** The default: the process's memory, so the session lasts as long as the client object. */
export function memoryStorage(): TokenStorage {
  const values = new Map<string, string>();
  return {
    get: (key) => values.get(key) ?? null,
    set: (key, value) => void values.set(key, value),
    remove: (key) => void values.delete(key),
  };
}
