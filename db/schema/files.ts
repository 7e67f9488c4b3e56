import { bigint, customType, index, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

// Stored files (storage/): content-addressed blobs, their chunks (PostgreSQL backend) and the names
// that point at them. Migration 0160.

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => "bytea" });

export const fileBlobs = pgTable("file_blobs", {
  sha256: text("sha256").primaryKey(),
  byteSize: bigint("byte_size", { mode: "number" }).notNull(),
  /** postgres | s3 */
  backend: text("backend").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const fileBlobChunks = pgTable(
  "file_blob_chunks",
  {
    sha256: text("sha256")
      .notNull()
      .references(() => fileBlobs.sha256, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    data: bytea("data").notNull(),
  },
  (t) => [primaryKey({ columns: [t.sha256, t.seq] })],
);

export const storedFiles = pgTable(
  "stored_files",
  {
    name: text("name").primaryKey(),
    sha256: text("sha256")
      .notNull()
      .references(() => fileBlobs.sha256),
    contentType: text("content_type").notNull(),
    byteSize: bigint("byte_size", { mode: "number" }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("stored_files_sha256").on(t.sha256),
    index("stored_files_name_prefix").on(t.name.op("text_pattern_ops")),
  ],
);
