import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { responseSerializerCompiler } from './response-serializer.js';

const agent = z.object({
  id: z.string(),
  description: z.string().nullable(),
  userId: z.string().optional(),
  role: z.enum(['USER', 'ADMIN']),
});
const listing = z.object({ success: z.literal(true), data: z.array(agent) });

function serializerFor(schema: z.ZodType) {
  return responseSerializerCompiler({ schema, method: 'GET', url: '/test', httpStatus: '200' });
}

describe('responseSerializerCompiler', () => {
  it('writes what the zod schema would let through, in JSON', () => {
    const body = {
      success: true,
      data: [
        { id: 'agent_1', description: null, role: 'USER' },
        { id: 'agent_2', description: 'x"y', userId: 'user_1', role: 'ADMIN' },
      ],
    };
    const json = serializerFor(listing)(body);
    expect(JSON.parse(json)).toEqual(listing.parse(body));
  });

  it('leaves out properties the schema does not declare, so an added field cannot leak', () => {
    const json = serializerFor(agent)({
      id: 'agent_1',
      description: null,
      role: 'USER',
      passwordHash: '$argon2id$secret',
    });
    expect(json).not.toContain('passwordHash');
    expect(JSON.parse(json)).toEqual({ id: 'agent_1', description: null, role: 'USER' });
  });

  it('refuses a body that lacks a required property (the surface answers 500)', () => {
    expect(() => serializerFor(agent)({ description: null, role: 'USER' })).toThrow(/id/);
  });

  it('refuses at compile time a schema JSON Schema cannot express, which would be written unfiltered', () => {
    expect(() => serializerFor(z.object({ user: z.custom<{ passwordHash: string }>() }))).toThrow();
    expect(() => serializerFor(z.object({ at: z.date() }))).toThrow();
  });

  it('escapes strings as JSON does', () => {
    const tricky = 'quote " backslash \\ newline \n tag </script> \u2028';
    const json = serializerFor(z.object({ text: z.string() }))({ text: tricky });
    expect(JSON.parse(json)).toEqual({ text: tricky });
  });
});
