import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** The development outbox: every mail as an .eml file in DATA_DIR/outbox. */
export function outboxDir(dataDir: string): string {
  return join(dataDir, 'outbox');
}

/** Writes one message (RFC 5322 bytes) readable by its owner only; returns the file's path. */
export function writeToOutbox(dataDir: string, message: Buffer, at: number): string {
  const dir = outboxDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${new Date(at).toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`);
  writeFileSync(file, message, { mode: 0o600, flag: 'wx' });
  return file;
}

export interface OutboxEntry {
  file: string;
  date: string;
  to: string;
  subject: string;
}

/** The header `name` of a message, unfolded (RFC 5322 section 2.2.3); '' when absent. */
function header(headers: string, name: string): string {
  const match = new RegExp(`^${name}:[ \\t]*((?:.*)(?:\\r?\\n[ \\t].*)*)`, 'im').exec(headers);
  return match ? match[1]!.replace(/\r?\n[ \t]+/g, ' ').trim() : '';
}

/** Decodes RFC 2047 encoded words (`=?UTF-8?B?...?=`, `=?UTF-8?Q?...?=`) in a header value. */
function decodeWords(value: string): string {
  return value.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=\s*/g, (_, _charset: string, encoding: string, text: string) =>
    encoding.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(
          text
            .replace(/_/g, ' ')
            .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

/** The outbox's mails, oldest first (file names start with the time). */
export function listOutbox(dataDir: string): OutboxEntry[] {
  let names: string[];
  try {
    names = readdirSync(outboxDir(dataDir)).filter((name) => name.endsWith('.eml'));
  } catch {
    return [];
  }
  return names.sort().map((name) => {
    const file = join(outboxDir(dataDir), name);
    const headers = readFileSync(file, 'utf8').split(/\r?\n\r?\n/, 1)[0]!;
    return {
      file,
      date: header(headers, 'Date'),
      to: decodeWords(header(headers, 'To')),
      subject: decodeWords(header(headers, 'Subject')),
    };
  });
}
