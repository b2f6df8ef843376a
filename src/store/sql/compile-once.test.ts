import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { embeddedTarget, postgresTarget, type StorageTarget } from '../../../test/helpers/targets.js';
import { compileOnce, limitParameter } from './compile-once.js';
import { openPostgres, openSqlite, type Database } from './database.js';

const USER = 'user_compile_once';

async function seed(database: Database): Promise<void> {
  await database.db
    .insertInto('users')
    .values({
      id: USER,
      email: 'c@example.com',
      email_normalized: 'c@example.com',
      password_hash: 'x',
      role: 'USER',
      plan: 'STARTER',
      created_at: 1,
      updated_at: 1,
      disabled_at: null,
    })
    .execute();
  const agents = [1, 2, 3, 4, 5].map((n) => ({
    id: `agent_${n}`,
    user_id: USER,
    name: `agent ${n}`,
    description: null,
    created_at: n,
    updated_at: n,
  }));
  await database.db.insertInto('agents').values(agents).execute();
}

describe.each([
  {
    name: 'SQLite',
    open: async (target: StorageTarget) => openSqlite(target.env.DATA_DIR!),
    target: async () => embeddedTarget(),
  },
  {
    name: 'PostgreSQL',
    open: async (target: StorageTarget) => openPostgres(target.env.DATABASE_URL!, 2),
    target: () => postgresTarget(),
  },
])('compileOnce on $name', ({ open, target: createTarget }) => {
  let target: StorageTarget;
  let database: Database;

  beforeAll(async () => {
    target = await createTarget();
    database = await open(target);
    await database.migrate();
    await seed(database);
  });

  afterAll(async () => {
    await database?.close();
    await target?.dispose();
  });

  it('builds once and binds each run’s own values', async () => {
    const { db } = database;
    const build = vi.fn((v: { userId: string; limit: number; offset: number }) =>
      db
        .selectFrom('agents')
        .select('id')
        .where('user_id', '=', v.userId)
        .orderBy('created_at', 'desc')
        .limit(limitParameter(v.limit))
        .offset(v.offset),
    );
    const page = compileOnce(db, ['userId', 'limit', 'offset'], build);

    expect(await page({ userId: USER, limit: 2, offset: 0 })).toEqual([{ id: 'agent_5' }, { id: 'agent_4' }]);
    expect(await page({ userId: USER, limit: 3, offset: 2 })).toEqual([
      { id: 'agent_3' },
      { id: 'agent_2' },
      { id: 'agent_1' },
    ]);
    expect(await page({ userId: 'user_nobody', limit: 5, offset: 0 })).toEqual([]);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('keeps constants written into the template', async () => {
    const { db } = database;
    const named = compileOnce(db, ['id'], (v: { id: string }) =>
      db.selectFrom('agents').select('name').where('user_id', '=', USER).where('id', '=', v.id),
    );
    expect(await named({ id: 'agent_2' })).toEqual([{ name: 'agent 2' }]);
  });

  it('refuses a template that turns a named value into SQL text', async () => {
    const { db } = database;
    const injected = compileOnce(db, ['id'], (v: { id: string }) =>
      db
        .selectFrom('agents')
        .select('id')
        .where(sql.raw<boolean>(`id = '${v.id}'`)),
    );
    await expect(injected({ id: 'agent_1' })).rejects.toThrow(/id was used as text/);
  });

  it('refuses a template in which a named value is not a bound parameter', async () => {
    const { db } = database;
    const careless = compileOnce(db, ['id', 'limit'], (v: { id: string; limit: number }) =>
      db.selectFrom('agents').select('id').where('id', '=', v.id),
    );
    await expect(careless({ id: 'agent_1', limit: 1 })).rejects.toThrow(TypeError);
    await expect(careless({ id: 'agent_1', limit: 1 })).rejects.toThrow(/limit did not become a bound parameter/);
  });
});
