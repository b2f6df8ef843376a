import { describe, expect, it } from 'vitest';
import { createUser } from '../src/core/users/users.js';
import { openDatabase } from '../src/store/open-stores.js';
import type { Role } from '../src/store/user-store.js';
import { caller, PASSWORD, registerV1, type Response } from './helpers/api.js';
import { manualClock } from './helpers/clock.js';
import { useServer, uniqueEmail } from './helpers/server.js';
import { TARGETS } from './helpers/targets.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const NOT_FOUND = { success: false, error: { code: 'NOT_FOUND', message: 'Agent not found' } };

describe.each(TARGETS)('agents on $name', ({ create }) => {
  // Each creation moves the clock on, so "newest first" is decided by time, never by chance.
  const clock = manualClock();

  const { server } = useServer(create, {}, clock);

  async function send(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    token: string,
    body?: object,
  ): Promise<Response> {
    const res = await server.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { payload: body }),
    });
    return { status: res.statusCode, headers: res.headers, body: res.body ? JSON.parse(res.body) : undefined };
  }

  async function newUser(): Promise<{ id: string; token: string }> {
    const { user, token } = await registerV1(caller(server), uniqueEmail());
    return { id: user.id, token };
  }

  async function newAdmin(): Promise<{ id: string; token: string }> {
    const email = uniqueEmail('admin');
    const user = await createUser(server.core, { email, password: PASSWORD, role: 'ADMIN' });
    const login = await caller(server).post('/api/v1/auth/login', { email, password: PASSWORD });
    expect(login.body.data.user.role).toBe('ADMIN');
    return { id: user.id, token: login.body.data.token };
  }

  async function newAgent(token: string, name = 'Support bot', description?: string | null): Promise<any> {
    clock.advance(1000);
    const res = await send(
      'POST',
      '/api/v1/agents',
      token,
      description === undefined ? { name } : { name, description },
    );
    expect(res.status).toBe(201);
    return res.body.data;
  }

  async function newPat(sessionToken: string, scopes: string[]): Promise<string> {
    const res = await send('POST', '/api/v1/tokens', sessionToken, { name: 'integration', scopes });
    expect(res.status).toBe(201);
    return res.body.data.token;
  }

  /** Changes a role in the database behind the server's back (no API does this). */
  async function setRole(userId: string, role: Role): Promise<void> {
    const database = await openDatabase(server.config);
    try {
      const result = await database.db.updateTable('users').set({ role }).where('id', '=', userId).executeTakeFirst();
      expect(Number(result.numUpdatedRows)).toBe(1);
    } finally {
      await database.close();
    }
  }

  describe('CRUD', () => {
    it('creates, reads, updates and deletes an agent', async () => {
      const { token } = await newUser();
      const created = await send('POST', '/api/v1/agents', token, {
        name: '  Support bot  ',
        description: 'Answers tickets',
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        success: true,
        data: {
          id: expect.stringMatching(/^agent_[0-9a-f]{24}$/),
          name: 'Support bot',
          description: 'Answers tickets',
          createdAt: expect.stringMatching(ISO),
          updatedAt: expect.stringMatching(ISO),
        },
      });
      const agent = created.body.data;
      expect(agent.updatedAt).toBe(agent.createdAt);

      expect(await send('GET', `/api/v1/agents/${agent.id}`, token)).toMatchObject({
        status: 200,
        body: { success: true, data: agent },
      });

      clock.advance(5000);
      const renamed = await send('PATCH', `/api/v1/agents/${agent.id}`, token, { name: 'Sales bot' });
      expect(renamed.status).toBe(200);
      expect(renamed.body.data).toEqual({ ...agent, name: 'Sales bot', updatedAt: expect.stringMatching(ISO) });
      expect(Date.parse(renamed.body.data.updatedAt) - Date.parse(agent.createdAt)).toBe(5000);

      const cleared = await send('PATCH', `/api/v1/agents/${agent.id}`, token, { description: null });
      expect(cleared.body.data).toMatchObject({ name: 'Sales bot', description: null });
      expect((await send('GET', `/api/v1/agents/${agent.id}`, token)).body.data).toEqual(cleared.body.data);

      const deleted = await send('DELETE', `/api/v1/agents/${agent.id}`, token);
      expect(deleted.status).toBe(200);
      expect(deleted.body).toEqual({ success: true, data: { deleted: true } });
      expect(await send('GET', `/api/v1/agents/${agent.id}`, token)).toMatchObject({ status: 404, body: NOT_FOUND });
      expect(await send('DELETE', `/api/v1/agents/${agent.id}`, token)).toMatchObject({ status: 404, body: NOT_FOUND });
      expect((await send('GET', '/api/v1/agents', token)).body).toEqual({ success: true, data: [] });
    });

    it('stores a missing description as null', async () => {
      const { token } = await newUser();
      const agent = await newAgent(token, 'Quiet');
      expect(agent.description).toBeNull();
    });

    it('lists newest first and pages with limit and offset', async () => {
      const { token } = await newUser();
      const first = await newAgent(token, 'first');
      const second = await newAgent(token, 'second');
      const third = await newAgent(token, 'third');
      const names = async (query: string) =>
        ((await send('GET', `/api/v1/agents${query}`, token)).body.data as any[]).map((a) => a.name);
      expect((await send('GET', '/api/v1/agents', token)).body).toEqual({
        success: true,
        data: [third, second, first],
      });
      expect(await names('?limit=2')).toEqual(['third', 'second']);
      expect(await names('?limit=2&offset=2')).toEqual(['first']);
      expect(await names('?offset=3')).toEqual([]);
    });

    it('applies a default page of 50 and accepts up to 100', async () => {
      const { token } = await newUser();
      for (let i = 0; i < 51; i++) await newAgent(token, `agent ${i}`);
      expect((await send('GET', '/api/v1/agents', token)).body.data).toHaveLength(50);
      const all = (await send('GET', '/api/v1/agents?limit=100', token)).body.data;
      expect(all).toHaveLength(51);
      expect(all[0].name).toBe('agent 50');
      expect(all[50].name).toBe('agent 0');
    });
  });

  describe('ownership', () => {
    it('shows each user only their own agents, without an owner field', async () => {
      const alice = await newUser();
      const bob = await newUser();
      const hers = await newAgent(alice.token, 'hers');
      const his = await newAgent(bob.token, 'his');
      expect((await send('GET', '/api/v1/agents', alice.token)).body.data).toEqual([hers]);
      expect((await send('GET', '/api/v1/agents', bob.token)).body.data).toEqual([his]);
      expect((await send('GET', '/api/v1/agents?all=false', bob.token)).body.data).toEqual([his]);
    });

    it("answers 404 for another user's agent on get, patch and delete, exactly as for a missing one, and leaves it alone", async () => {
      const owner = await newUser();
      const stranger = await newUser();
      const agent = await newAgent(owner.token, 'private', 'secret plans');
      const attempts = [
        send('GET', `/api/v1/agents/${agent.id}`, stranger.token),
        send('PATCH', `/api/v1/agents/${agent.id}`, stranger.token, { name: 'hijacked' }),
        send('DELETE', `/api/v1/agents/${agent.id}`, stranger.token),
        send('GET', '/api/v1/agents/agent_000000000000000000000000', stranger.token),
      ];
      for (const res of await Promise.all(attempts)) {
        expect(res.status).toBe(404);
        expect(res.body).toEqual(NOT_FOUND);
      }
      expect((await send('GET', `/api/v1/agents/${agent.id}`, owner.token)).body.data).toEqual(agent);
    });
  });

  describe('admin', () => {
    it('lists every user’s agents with their owner under ?all=true', async () => {
      const admin = await newAdmin();
      const alice = await newUser();
      const bob = await newUser();
      const hers = await newAgent(alice.token, 'hers');
      const his = await newAgent(bob.token, 'his');
      const own = await newAgent(admin.token, 'admin’s');

      const res = await send('GET', '/api/v1/agents?all=true&limit=100', admin.token);
      expect(res.status).toBe(200);
      const listed = res.body.data as any[];
      // Other tests' agents are in the same database; these three are the newest.
      expect(listed.slice(0, 3)).toEqual([
        { ...own, userId: admin.id },
        { ...his, userId: bob.id },
        { ...hers, userId: alice.id },
      ]);
      const times = listed.map((a) => Date.parse(a.createdAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      expect((await send('GET', '/api/v1/agents?all=true&limit=2', admin.token)).body.data).toHaveLength(2);

      // Without ?all=true an admin sees only their own.
      expect((await send('GET', '/api/v1/agents', admin.token)).body.data).toEqual([own]);
    });

    it('refuses ?all=true to a USER with 403 FORBIDDEN', async () => {
      const { token } = await newUser();
      await newAgent(token);
      const res = await send('GET', '/api/v1/agents?all=true', token);
      expect(res.status).toBe(403);
      expect(res.body.success).toBe(false);
      expect(res.body.error.code).toBe('FORBIDDEN');
    });

    it('reads, updates and deletes another user’s agent', async () => {
      const admin = await newAdmin();
      const owner = await newUser();
      const agent = await newAgent(owner.token, 'theirs');
      expect((await send('GET', `/api/v1/agents/${agent.id}`, admin.token)).body.data).toEqual(agent);
      const patched = await send('PATCH', `/api/v1/agents/${agent.id}`, admin.token, { name: 'moderated' });
      expect(patched.status).toBe(200);
      expect((await send('GET', `/api/v1/agents/${agent.id}`, owner.token)).body.data.name).toBe('moderated');
      expect((await send('DELETE', `/api/v1/agents/${agent.id}`, admin.token)).status).toBe(200);
      expect((await send('GET', `/api/v1/agents/${agent.id}`, owner.token)).status).toBe(404);
    });
  });

  describe('validation', () => {
    async function expectInvalid(res: Response, field: string): Promise<void> {
      expect(res.status).toBe(400);
      expect(res.body.success).toBe(false);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.message).toMatch(new RegExp(`^${field}: `));
    }

    it('rejects a missing, blank or too long name and a too long description, naming the field', async () => {
      const { token } = await newUser();
      await expectInvalid(await send('POST', '/api/v1/agents', token, {}), 'name');
      await expectInvalid(await send('POST', '/api/v1/agents', token, { name: '   ' }), 'name');
      await expectInvalid(await send('POST', '/api/v1/agents', token, { name: 'x'.repeat(101) }), 'name');
      await expectInvalid(await send('POST', '/api/v1/agents', token, { name: 42 }), 'name');
      await expectInvalid(
        await send('POST', '/api/v1/agents', token, { name: 'ok', description: 'x'.repeat(1001) }),
        'description',
      );
      expect((await send('GET', '/api/v1/agents', token)).body.data).toEqual([]);
    });

    it('accepts a name of 100 and a description of 1000 characters', async () => {
      const { token } = await newUser();
      const agent = await newAgent(token, 'n'.repeat(100), 'd'.repeat(1000));
      expect(agent.name).toHaveLength(100);
      expect(agent.description).toHaveLength(1000);
    });

    it('rejects an empty or invalid update and leaves the agent unchanged', async () => {
      const { token } = await newUser();
      const agent = await newAgent(token, 'steady');
      const patch = (body: object) => send('PATCH', `/api/v1/agents/${agent.id}`, token, body);
      const empty = await patch({});
      expect(empty.status).toBe(400);
      expect(empty.body.error.code).toBe('VALIDATION_FAILED');
      expect(empty.body.error.message).toMatch(/name or description/);
      await expectInvalid(await patch({ name: '' }), 'name');
      await expectInvalid(await patch({ description: 'x'.repeat(1001) }), 'description');
      expect((await send('GET', `/api/v1/agents/${agent.id}`, token)).body.data).toEqual(agent);
    });

    it('rejects out-of-range paging and a non-boolean all', async () => {
      const { token } = await newUser();
      await expectInvalid(await send('GET', '/api/v1/agents?limit=0', token), 'limit');
      await expectInvalid(await send('GET', '/api/v1/agents?limit=101', token), 'limit');
      await expectInvalid(await send('GET', '/api/v1/agents?limit=ten', token), 'limit');
      await expectInvalid(await send('GET', '/api/v1/agents?offset=-1', token), 'offset');
      await expectInvalid(await send('GET', '/api/v1/agents?all=yes', token), 'all');
    });
  });

  describe('personal access tokens', () => {
    it('with agents:read only can list and read but not write, and is told which scope is missing', async () => {
      const { token } = await newUser();
      const agent = await newAgent(token, 'mine');
      const pat = await newPat(token, ['agents:read']);
      expect((await send('GET', '/api/v1/agents', pat)).body).toEqual({ success: true, data: [agent] });
      expect((await send('GET', `/api/v1/agents/${agent.id}`, pat)).status).toBe(200);

      const refused = [
        await send('POST', '/api/v1/agents', pat, { name: 'nope' }),
        await send('PATCH', `/api/v1/agents/${agent.id}`, pat, { name: 'nope' }),
        await send('DELETE', `/api/v1/agents/${agent.id}`, pat),
      ];
      for (const res of refused) {
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('INSUFFICIENT_SCOPE');
        const challenge = String(res.headers['www-authenticate']);
        expect(challenge).toContain('error="insufficient_scope"');
        expect(challenge).toContain('scope="agents:write"');
      }
      expect((await send('GET', `/api/v1/agents/${agent.id}`, token)).body.data).toEqual(agent);
      expect((await send('GET', '/api/v1/agents', token)).body.data).toHaveLength(1);
    });

    it('with agents:write creates an agent owned by the token’s user, but cannot list without agents:read', async () => {
      const { token } = await newUser();
      const pat = await newPat(token, ['agents:write']);
      clock.advance(1000);
      const created = await send('POST', '/api/v1/agents', pat, { name: 'from a script' });
      expect(created.status).toBe(201);
      expect((await send('GET', '/api/v1/agents', token)).body.data).toEqual([created.body.data]);

      const list = await send('GET', '/api/v1/agents', pat);
      expect(list.status).toBe(403);
      expect(list.body.error.code).toBe('INSUFFICIENT_SCOPE');
      expect(String(list.headers['www-authenticate'])).toContain('scope="agents:read"');
    });

    it('keeps the role it was created with: an ADMIN token survives a demotion, a USER token gains nothing from a promotion', async () => {
      const admin = await newAdmin();
      const adminEraPat = await newPat(admin.token, ['agents:read']);
      await setRole(admin.id, 'USER');
      // Same session, but the account is now a USER: a token made now snapshots USER.
      const userEraPat = await newPat(admin.token, ['agents:read']);

      expect((await send('GET', '/api/v1/agents?all=true', adminEraPat)).status).toBe(200);
      const refused = await send('GET', '/api/v1/agents?all=true', userEraPat);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('FORBIDDEN');

      const user = await newUser();
      const userPat = await newPat(user.token, ['agents:read']);
      await setRole(user.id, 'ADMIN');
      expect((await send('GET', '/api/v1/agents?all=true', userPat)).status).toBe(403);
      expect((await send('GET', '/api/v1/agents?all=true', await newPat(user.token, ['agents:read']))).status).toBe(
        200,
      );
    });

    it('under an ADMIN snapshot reaches another user’s agent; under a USER snapshot gets 404', async () => {
      const admin = await newAdmin();
      const adminPat = await newPat(admin.token, ['agents:read', 'agents:write']);
      await setRole(admin.id, 'USER');
      const userPat = await newPat(admin.token, ['agents:read', 'agents:write']);
      const owner = await newUser();
      const agent = await newAgent(owner.token, 'theirs');
      expect((await send('GET', `/api/v1/agents/${agent.id}`, adminPat)).body.data).toEqual(agent);
      expect(await send('GET', `/api/v1/agents/${agent.id}`, userPat)).toMatchObject({ status: 404, body: NOT_FOUND });
      expect(await send('DELETE', `/api/v1/agents/${agent.id}`, userPat)).toMatchObject({
        status: 404,
        body: NOT_FOUND,
      });
    });
  });
});
