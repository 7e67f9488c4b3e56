import {
  bigint,
  bigserial,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
} from "drizzle-orm/pg-core";

// The public transparency log (migrations 0100, 0200): pending entries written with the change they
// record, the sequenced entries, the Merkle tree as tiles, the signed checkpoints and the witnesses'
// cosignatures. Append-only by trigger.

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => "bytea" });

export const logPending = pgTable(
  "log_pending",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** The entry text, or null when `record` holds the material the sequencer encodes. */
    entry: text("entry"),
    ref: text("ref").notNull(),
    secret: text("secret"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    record: jsonb("record"),
  },
  (t) => [index("log_pending_ref").on(t.ref)],
);

export const logEntries = pgTable(
  "log_entries",
  {
    idx: bigint("idx", { mode: "number" }).primaryKey(),
    entry: text("entry").notNull(),
    ref: text("ref").notNull(),
    secret: text("secret"),
    pendingId: bigint("pending_id", { mode: "number" }).notNull().unique(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    sequencedAt: timestamp("sequenced_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("log_entries_ref").on(t.ref)],
);

export const logTiles = pgTable(
  "log_tiles",
  {
    level: smallint("level").notNull(),
    n: bigint("n", { mode: "number" }).notNull(),
    width: smallint("width").notNull(),
    data: bytea("data").notNull(),
  },
  (t) => [primaryKey({ columns: [t.level, t.n, t.width] })],
);

export const logCheckpoints = pgTable("log_checkpoints", {
  size: bigint("size", { mode: "number" }).primaryKey(),
  root: bytea("root").notNull(),
  note: text("note").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const logBackfills = pgTable("log_backfills", {
  kind: text("kind").primaryKey(),
  entries: integer("entries").notNull(),
  doneAt: timestamp("done_at", { withTimezone: true }).notNull().defaultNow(),
});

export const logCosignatures = pgTable(
  "log_cosignatures",
  {
    size: bigint("size", { mode: "number" }).notNull(),
    witness: text("witness").notNull(),
    line: text("line").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.size, t.witness] })],
);
