import { type SQL, sql } from "drizzle-orm";

/**
 * A source's id condition: `true` without ids (reindexing: every row), `column IN (…)` for the given
 * ids, or null when none of them is an id (nothing to load).
 */
export function idCondition(column: SQL, ids?: string[]): SQL | null {
  if (!ids) return sql`true`;
  const wanted = ids.map(Number).filter(Number.isInteger);
  if (wanted.length === 0) return null;
  return sql`${column} IN (${sql.join(
    wanted.map((i) => sql`${i}`),
    sql`, `,
  )})`;
}
