// The same service on Express: `node src/express.js`, configured as src/fastify.js is.
import express from 'express';
import { Agents } from './agents.js';
import { announce, port } from './serve.js';
import { verifier } from './verifier.js';

const agents = new Agents();
// readme:express
import { latchkey } from '@latchkey/verify/express';

const app = express();
app.get('/agents', latchkey({ verifier, scope: 'agents:read' }), (req, res) => {
  res.json(agents.list(req.auth.sub));
});
// readme:end
app.post('/agents', express.json(), latchkey({ verifier, scope: 'agents:write' }), (req, res) => {
  res.status(201).json(agents.create(req.auth.sub, req.body?.name));
});

const server = app.listen(port, '127.0.0.1', () => {
  announce('express', () => new Promise((resolve) => server.close(resolve)));
});
