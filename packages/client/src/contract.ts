/**
 * The HTTP contract as the server states it: request and answer types read from openapi.ts, which
 * the server's `npm run gen:api` generates from its route schemas, so this package never restates them.
 */
import type { paths } from './openapi.js';

export type { paths };

/** A path of the OpenAPI document, with `{id}`-style parameters. */
export type Path = keyof paths;
export type Method = 'get' | 'post' | 'patch' | 'delete';

/** The methods `P` answers. */
export type MethodOf<P extends Path> = {
  [M in Method]: paths[P][M] extends undefined | never ? never : M;
}[Method];

type Operation<P extends Path, M extends Method> = NonNullable<paths[P][M]>;
type Json<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;
type Success<R> = R extends { 200: infer A } ? A : R extends { 201: infer A } ? A : never;
// The client unwraps the v1 envelope, so callers see its `data`.
type Unwrapped<Body> = Body extends { success: true; data: infer Data } ? Data : Body;

/** The answer of a successful `M P`, as the client returns it. */
export type Answer<P extends Path, M extends Method> = Unwrapped<Json<Success<Operation<P, M>['responses']>>>;

/** The JSON body `M P` accepts. */
export type RequestBody<P extends Path, M extends Method> = Json<NonNullable<Operation<P, M>['requestBody']>>;

/** The query parameters `M P` accepts. */
export type Query<P extends Path, M extends Method> =
  Operation<P, M> extends { parameters: { query?: infer Q } } ? Q : never;
