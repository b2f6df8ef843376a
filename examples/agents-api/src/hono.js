// The same service on Hono: `node src/hono.js`, configured as src/fastify.js is.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { Agents } from './agents.js';
import { announce, port } from './serve.js';
import { verifier } from './verifier.js';

const agents = new Agents();
// readme:hono
import { latchkey } from '@latchkey/verify/hono';

const app = new Hono();
app.get('/agents', latchkey({ verifier, scope: 'agents:read' }), (c) => c.json(agents.list(c.get('auth').sub)));
// readme:end
app.post('/agents', latchkey({ verifier, scope: 'agents:write' }), async (c) => {
  const body = await c.req.json().catch(() => ({}));
  return c.json(agents.create(c.get('auth').sub, body.name), 201);
});

const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => {
  announce('hono', () => new Promise((resolve) => server.close(resolve)));
});
