// The agents service on Fastify: `node src/fastify.js` with LATCHKEY_ISSUER, LATCHKEY_CLIENT_ID,
// LATCHKEY_CLIENT_SECRET (and PORT).
import Fastify from 'fastify';
import { Agents } from './agents.js';
import { announce, port } from './serve.js';
import { verifier } from './verifier.js';

const agents = new Agents();
// readme:fastify
import { latchkey } from '@latchkey/verify/fastify';

const app = Fastify();
await app.register(latchkey, { verifier, scope: 'agents:read' });
app.get('/agents', async (request) => agents.list(request.auth.sub));
// readme:end
app.post('/agents', { config: { scope: 'agents:write' } }, async (request, reply) =>
  reply.code(201).send(agents.create(request.auth.sub, request.body?.name)),
);

await app.listen({ port, host: '127.0.0.1' });
announce('fastify', () => app.close());
