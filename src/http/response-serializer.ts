import fastJsonStringify, { type AnySchema } from 'fast-json-stringify';
import type { FastifySerializerCompiler } from 'fastify/types/schema.js';
import { toJSONSchema, type ZodType } from 'zod';

/**
 * Serializes responses with fast-json-stringify, compiled once per route at start-up from the
 * JSON Schema of the route's zod response schema (one contract, also behind the OpenAPI
 * document), which is cheaper per request than checking each body with zod and calling
 * JSON.stringify. The compiled serializer writes only the declared properties,
 * so a field added to a domain object cannot leak into a response, and throws when a required
 * one is missing, which the surface's error handler answers as a 500. It does not check values
 * the way zod did: it writes a literal's constant and coerces a wrong type, so handlers build
 * bodies from typed values (the type provider checks them against the schema at compile time).
 */
export const responseSerializerCompiler: FastifySerializerCompiler<ZodType> = ({ schema }) =>
  // A type JSON Schema cannot express (a date, a transform) would become {} and be written whole
  // by JSON.stringify: start-up fails instead.
  fastJsonStringify(toJSONSchema(schema, { target: 'draft-7', io: 'output', unrepresentable: 'throw' }) as AnySchema);
