import { bigserial, customType, date, index, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Durable queue of search index changes, written in the content's own transaction and drained by the
 * search worker (with retries), so an unavailable search engine delays updates but loses none.
 */
export const searchOutbox = pgTable(
  "search_outbox",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    docType: text("doc_type").notNull(),
    docId: text("doc_id").notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("search_outbox_due_idx").on(t.nextAttemptAt, t.id)],
);

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

/** The embedded search index (migration 0050): see search/embedded.ts. */
export const searchDocuments = pgTable(
  "search_documents",
  {
    docType: text("doc_type").notNull(),
    docId: text("doc_id").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull().default(""),
    keywords: text("keywords").array().notNull().default([]),
    url: text("url").notNull(),
    date: date("date"),
    year: integer("year"),
    district: text("district"),
    tsv: tsvector("tsv").notNull(),
    /** Title, keywords and document numbers only: what ranking reads (migration 0052). */
    rankTsv: tsvector("rank_tsv").notNull(),
    indexedAt: timestamp("indexed_at", { withTimezone: true }).notNull().defaultNow(),
    // rank_len (migration 0071) is generated from rank_tsv by the database, so not written from here.
  },
  (t) => [primaryKey({ columns: [t.docType, t.docId] }), index("search_documents_tsv_idx").using("gin", t.tsv)],
);
