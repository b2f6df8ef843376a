import { describe, expect, it } from 'vitest';
import { caller, registerV1 } from './helpers/api.js';
import { uniqueEmail, useServers, type TestServer } from './helpers/server.js';
import { TARGETS } from './helpers/targets.js';

const CAP = 3;

describe.each(TARGETS)('the agents-per-user cap on $name', ({ create }) => {
  // A second instance over the same data: racing creates may arrive at different instances.
  const { servers } = useServers(
    create,
    [{ AGENTS_MAX_PER_USER: String(CAP) }],
    [{ AGENTS_MAX_PER_USER: String(CAP) }],
  );
  const [server, other] = servers;

  const createAgent = async (on: TestServer, token: string, name: string) => {
    const res = await on.app.inject({
      method: 'POST',
      url: '/api/v1/agents',
      headers: { authorization: `Bearer ${token}` },
      payload: { name },
    });
    return { status: res.statusCode, body: JSON.parse(res.body) };
  };
  const countAgents = async (token: string) =>
    (await caller(server).get('/api/v1/agents?limit=100', token)).body.data.length;

  it('refuses the agent past AGENTS_MAX_PER_USER with 409 AGENT_LIMIT_REACHED, and takes one again after a delete', async () => {
    const { token } = await registerV1(caller(server), uniqueEmail());
    const ids: string[] = [];
    for (let i = 0; i < CAP; i++) {
      const res = await createAgent(server, token, `agent ${i}`);
      expect(res.status).toBe(201);
      ids.push(res.body.data.id);
    }
    const refused = await createAgent(server, token, 'one too many');
    expect(refused).toEqual({
      status: 409,
      body: {
        success: false,
        error: { code: 'AGENT_LIMIT_REACHED', message: `An account may have at most ${CAP} agents; delete one first` },
      },
    });
    expect(await countAgents(token)).toBe(CAP);

    const deleted = await server.app.inject({
      method: 'DELETE',
      url: `/api/v1/agents/${ids[0]}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(deleted.statusCode).toBeLessThan(300);
    expect((await createAgent(server, token, 'in the freed place')).status).toBe(201);
  });

  it('counts per user: another user still has the whole cap', async () => {
    const first = await registerV1(caller(server), uniqueEmail());
    for (let i = 0; i < CAP; i++) expect((await createAgent(server, first.token, `a${i}`)).status).toBe(201);
    const second = await registerV1(caller(server), uniqueEmail());
    expect((await createAgent(server, second.token, 'mine')).status).toBe(201);
  });

  it('holds under parallel creates on two instances: exactly the cap gets through', async () => {
    const { token } = await registerV1(caller(server), uniqueEmail());
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => createAgent(i % 2 === 0 ? server : other, token, `racer ${i}`)),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(CAP);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'AGENT_LIMIT_REACHED')).toBe(
      true,
    );
    expect(results.filter((r) => r.status !== 201 && r.status !== 409)).toEqual([]);
    expect(await countAgents(token)).toBe(CAP);
  });
});
