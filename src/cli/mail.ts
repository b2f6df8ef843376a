import type { Config } from '../config/index.js';
import { listOutbox, outboxDir } from '../runtime/mail/outbox.js';
import { table } from './table.js';

/** `latchkey mail outbox [--json]`: the development outbox's mails, oldest first. */
export async function mailOutbox(config: Readonly<Config>, options: { json?: boolean }): Promise<void> {
  const mails = listOutbox(config.dataDir);
  if (options.json) return console.log(JSON.stringify(mails, null, 2));
  if (mails.length === 0) return console.log(`no mails in ${outboxDir(config.dataDir)}`);
  console.log(
    table(
      ['DATE', 'TO', 'SUBJECT', 'FILE'],
      mails.map((m) => [m.date, m.to, m.subject, m.file]),
    ),
  );
}
