export { createClient, LatchkeyClient } from './client.js';
export type { ClientOptions, LoginResult, RequestOptions, SessionAnswer } from './options.js';
export type { Answer, Method, MethodOf, Path, Query, RequestBody, paths } from './contract.js';
export { LatchkeyError, RecentLoginRequiredError } from './errors.js';
export type { Surface } from './routes.js';
export type { SessionEndReason } from './session.js';
export { memoryStorage, type TokenStorage } from './storage.js';
export type { Credentials, Fetch } from './transport.js';
