import type { Config } from '../config/index.js';
import { openDatabase } from '../store/open-stores.js';
import { migrateToLatest } from '../store/sql/migrations.js';

/** `latchkey migrate`: brings the schema up to date and lists what it applied. */
export async function migrate(config: Readonly<Config>): Promise<void> {
  const database = openDatabase(config);
  try {
    const applied = await migrateToLatest(database.db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
  } finally {
    await database.close();
  }
}
