import type { Caller, Response } from './api.js';
import { PASSWORD } from './api.js';

/** The e-mail flows through one surface, so each test runs on both with one body. */
export interface EmailSurface {
  name: 'v1' | 'flat';
  prefix: string;
  /** Registers and returns the session's access token. */
  register(client: Caller, email: string, password?: string): Promise<string>;
  login(client: Caller, email: string, password: string): Promise<Response>;
  /** The access token of a successful login answer. */
  tokenOf(res: Response): string;
  /** The user object of a verify or confirm answer. */
  userOf(res: Response): { email: string; verified: boolean };
  me(client: Caller, token: string): Promise<{ email: string; verified: boolean }>;
  changeBody(newEmail: string, password: string): object;
  /** The error code of an error answer. */
  codeOf(res: Response): string;
}

export const SURFACES: EmailSurface[] = [
  {
    name: 'v1',
    prefix: '/api/v1',
    async register(client, email, password = PASSWORD) {
      const res = await client.post('/api/v1/auth/register', { email, password });
      if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.data.token;
    },
    login: (client, email, password) => client.post('/api/v1/auth/login', { email, password }),
    tokenOf: (res) => res.body.data.token,
    userOf: (res) => ({ email: res.body.data.user.email, verified: res.body.data.user.emailVerified }),
    async me(client, token) {
      const res = await client.get('/api/v1/auth/me', token);
      return { email: res.body.data.user.email, verified: res.body.data.user.emailVerified };
    },
    changeBody: (newEmail, password) => ({ newEmail, password }),
    codeOf: (res) => res.body.error.code,
  },
  {
    name: 'flat',
    prefix: '/api',
    async register(client, email, password = PASSWORD) {
      const res = await client.post('/api/auth/register', { email, password });
      if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.access_token;
    },
    login: (client, email, password) => client.post('/api/auth/login', { email, password }),
    tokenOf: (res) => res.body.access_token,
    userOf: (res) => ({ email: res.body.user.email, verified: res.body.user.email_verified }),
    async me(client, token) {
      const res = await client.get('/api/auth/me', token);
      return { email: res.body.email, verified: res.body.email_verified };
    },
    changeBody: (newEmail, password) => ({ new_email: newEmail, password }),
    codeOf: (res) => res.body.code,
  },
];
