import { index, integer, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";
import { tickets } from "./hotline";

/** Evidence files of a ticket; the bytes are in DATA_DIR/evidence/<storageName>, never public. */
export const ticketEvidence = pgTable(
  "ticket_evidence",
  {
    id: serial("id").primaryKey(),
    ticketId: integer("ticket_id")
      .notNull()
      .references(() => tickets.id, { onDelete: "cascade" }),
    storageName: text("storage_name").notNull().unique(),
    /** image/jpeg | image/png | image/webp | application/pdf — decided by content */
    mediaType: text("media_type").notNull(),
    byteSize: integer("byte_size").notNull(),
    sha256: text("sha256").notNull(),
    width: integer("width"),
    height: integer("height"),
    /** filing | reporter */
    source: text("source").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("ticket_evidence_ticket_idx").on(t.ticketId, t.id)],
);
