import { sql, type Compilable, type CompiledQuery, type Kysely, type RawBuilder } from 'kysely';

// Stands where one run's value goes while the template is built; never reaches the database.
class Slot {
  constructor(readonly name: string) {}

  // A stand-in turned into text (a template string, a comparison) would freeze into the SQL.
  [Symbol.toPrimitive](): never {
    throw new TypeError(`compileOnce: ${this.name} was used as text, not as a bound value`);
  }
}

/**
 * A query that Kysely builds and compiles once, on its first run, and that every run after binds
 * its own values into. Kysely builds and compiles a query on every call, which for the reads on
 * the request path costs more than SQLite takes to run them.
 *
 * `build` receives a stand-in for each value named in `names`, typed as the value, and must use
 * each one as a bound value only (an operand of where, a limit or offset), never as SQL text, an
 * identifier or a list; nor may it branch on one (a stand-in is always truthy): one shape of query
 * is one template. The compile checks that every stand-in became a parameter, and a stand-in
 * refuses to become text.
 */
export function compileOnce<Values extends object, Row>(
  db: Kysely<any>,
  names: readonly NoInfer<keyof Values & string>[],
  build: (values: Values) => Compilable<Row>,
): (values: Values) => Promise<Row[]> {
  let withValues: ((values: Values) => CompiledQuery<Row>) | undefined;

  function compile(): (values: Values) => CompiledQuery<Row> {
    const slots = Object.fromEntries(names.map((name) => [name, new Slot(name)])) as unknown as Values;
    const query = build(slots).compile();
    const unused = names.filter((name) => !query.parameters.some((p) => p instanceof Slot && p.name === name));
    if (unused.length > 0) throw new TypeError(`compileOnce: ${unused.join(', ')} did not become a bound parameter`);
    return (values) => ({
      ...query,
      parameters: query.parameters.map((p) => (p instanceof Slot ? values[p.name as keyof Values] : p)),
    });
  }

  return async (values) => {
    withValues ??= compile();
    return (await db.executeQuery(withValues(values))).rows;
  };
}

/**
 * A LIMIT that stays a bound parameter, inside a cast. SQLite's planner reads the value of a bare
 * bound LIMIT and so re-prepares the statement on every run, which makes a page query several
 * times dearer. PostgreSQL reads both forms alike.
 */
export function limitParameter(limit: number): RawBuilder<number> {
  return sql<number>`cast(${limit} as integer)`;
}
