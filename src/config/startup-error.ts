/**
 * Start-up cannot go on, for a reason the operator can fix: the message is one line naming the
 * setting or the cause and what to do. The CLI prints it without a stack (LOG_LEVEL=debug adds it).
 */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** The errno code of a Node system error, if it is one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
