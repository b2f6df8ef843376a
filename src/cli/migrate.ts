import type { Config } from '../config/index.js';
import { openDatabase } from '../store/open-stores.js';
import { CLI_LOG } from './cli-log.js';

/** `latchkey migrate`: brings the schema up to date and lists what it applied. */
export async function migrate(config: Readonly<Config>): Promise<void> {
  const database = await openDatabase(config, CLI_LOG);
  try {
    const applied = await database.migrate();
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
  } finally {
    await database.close();
  }
}
