import type { InferSelectModel, Table } from "drizzle-orm";

/**
 * The row a raw query (`rows()` in client.ts) returns for some columns of a table: keyed by the SQL
 * column name, typed by the drizzle schema, so a raw query's row shape is never written by hand.
 * For columns whose driver value is what drizzle declares (text, integer, serial, boolean, jsonb);
 * dates, timestamps and numerics reach a raw query as the driver decodes them, not in drizzle's mode.
 */
export type SqlRow<T extends Table, K extends keyof InferSelectModel<T, { dbColumnNames: true }>> = Pick<
  InferSelectModel<T, { dbColumnNames: true }>,
  K
>;
