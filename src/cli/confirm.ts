import { createInterface } from 'node:readline';
import { AuthError } from '../core/index.js';

/** Asks on the terminal (stderr, so stdout keeps only the answer); true when `expected` is typed. */
async function confirm(question: string, expected: string): Promise<boolean> {
  const lines = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    const answer = await new Promise<string>((resolve) => {
      lines.question(question, resolve);
      lines.once('close', () => resolve(''));
    });
    return answer.trim() === expected;
  } finally {
    lines.close();
  }
}

/**
 * Before `command` deletes something: passes with `--yes`; otherwise asks `question` at the
 * terminal and throws unless `expected` is typed.
 */
export async function confirmDeletion(
  command: string,
  options: { yes?: boolean },
  question: string,
  expected: string,
): Promise<void> {
  if (options.yes) return;
  // A script must say so: without a terminal there is nobody to ask.
  if (!process.stdin.isTTY)
    throw new AuthError('VALIDATION_FAILED', {
      message: `${command}: no terminal to confirm on; add --yes to delete without asking`,
    });
  if (!(await confirm(question, expected)))
    throw new AuthError('VALIDATION_FAILED', { message: `${command}: not confirmed; nothing deleted` });
}
