import fc from 'fast-check';

/** The part of JSON Schema (as the OpenAPI document prints zod) that the generator reads. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
}

/** Strings that have broken parsers, normalisers and databases elsewhere. */
const TRICKY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '__proto__',
  'constructor',
  '%00',
  '../../etc/passwd',
  "'; drop table users; --",
  '\ud800',
  '\u202e\u0301',
  'ǅ'.repeat(300),
  '0'.repeat(5000),
  '-1',
  '1e309',
  'NaN',
  'null',
  '{}',
  'a@b',
  'ADMIN',
  `x@${'a'.repeat(250)}.com`,
];

const trickyString = fc.oneof(fc.constantFrom(...TRICKY_STRINGS), fc.string({ unit: 'binary', maxLength: 64 }));

/** Values of the wrong kind for any field: the other JSON types, empty and extreme ones. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 2 ** 53, 1e308, -0, [], {}, [null], { __proto__: 1 }),
  fc.double(),
  trickyString,
  fc.jsonValue({ maxDepth: 3 }),
);

/** Values around a string field's bounds, then any string. */
function stringOf(schema: JsonSchema): fc.Arbitrary<string> {
  const edges: string[] = [];
  for (const n of [schema.minLength, schema.maxLength]) {
    if (n === undefined) continue;
    for (const length of [n - 1, n, n + 1]) if (length >= 0) edges.push('x'.repeat(length));
  }
  const shaped: fc.Arbitrary<string>[] = [fc.string({ maxLength: schema.maxLength ?? 80 })];
  if (schema.format === 'email') shaped.push(fc.stringMatching(/^[a-z0-9]{1,12}@example\.com$/));
  else if (schema.pattern) shaped.push(fc.stringMatching(new RegExp(schema.pattern)));
  return fc.oneof(
    { weight: 4, arbitrary: fc.oneof(...shaped) },
    trickyString,
    ...(edges.length ? [fc.constantFrom(...edges)] : []),
  );
}

function numberOf(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const edges = [schema.minimum, schema.maximum]
    .filter((n): n is number => n !== undefined)
    .flatMap((n) => [n - 1, n, n + 1]);
  const base = integer ? fc.integer() : fc.double({ noNaN: true });
  return fc.oneof(base, ...(edges.length ? [fc.constantFrom(...edges)] : []));
}

/**
 * Values of `schema` — mostly well-formed, so requests reach the handlers — mixed with values
 * of the wrong type, missing required fields and unknown fields, so validation is crossed too.
 */
export function schemaValue(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return wrongValue;
  const own = wellFormed(schema, depth);
  return fc.oneof({ weight: 6, arbitrary: own }, { weight: 1, arbitrary: wrongValue });
}

function wellFormed(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => schemaValue(s, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringOf(schema);
    case 'integer':
      return numberOf(schema, true);
    case 'number':
      return numberOf(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(schemaValue(schema.items, depth + 1), {
        minLength: Math.max(0, (schema.minItems ?? 0) - 1),
        maxLength: (schema.maxItems ?? 5) + 1,
      });
    case 'object':
      return objectOf(schema, depth);
    default:
      return wrongValue;
  }
}

function objectOf(schema: JsonSchema, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(schema.properties ?? {}))
    record[name] = schemaValue(property, depth + 1);
  const required = (schema.required ?? []).filter((name) => name in record);
  return fc
    .tuple(
      // Mostly complete; now and then a required field goes missing.
      fc.oneof(
        { weight: 4, arbitrary: fc.record(record, { requiredKeys: required }) },
        { weight: 1, arbitrary: fc.record(record, { requiredKeys: [] }) },
      ),
      fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, fc.dictionary(trickyString, wrongValue, { maxKeys: 3 })),
    )
    .map(([value, extra]) => ({ ...extra, ...value }));
}
