/**
 * The HTTP contract as the server states it: request and answer types read from openapi.d.ts,
 * which `npm run gen:api` generates from the route schemas, so the dashboard never restates them.
 */
import type { paths } from './openapi.js';

type Path = keyof paths;
type Method = 'get' | 'post' | 'patch' | 'delete';
type Operation<P extends Path, M extends Method> = NonNullable<paths[P][M]>;
type Json<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;
type Success<R> = R extends { 200: infer A } ? A : R extends { 201: infer A } ? A : never;
// @latchkey/client unwraps the v1 envelope, so callers see its `data`.
type Unwrapped<Body> = Body extends { success: true; data: infer Data } ? Data : Body;

/** The answer of a successful `M P` as @latchkey/client returns it. */
export type Answer<P extends Path, M extends Method> = Unwrapped<Json<Success<Operation<P, M>['responses']>>>;

/** The JSON body `M P` accepts. */
export type RequestBody<P extends Path, M extends Method> = Json<NonNullable<Operation<P, M>['requestBody']>>;
