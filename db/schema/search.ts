import { bigserial, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Durable queue of search index changes, written in the content's own transaction and drained by the
 * search worker (with retries), so an unavailable search engine delays updates but loses none.
 */
export const searchOutbox = pgTable("search_outbox", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  docType: text("doc_type").notNull(),
  docId: text("doc_id").notNull(),
  attempts: integer("attempts").notNull().default(0),
  nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
  lastError: text("last_error"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
