import { index, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/** Public submissions per client and time window (domain/throttle/submission-limits.ts). */
export const submissionCounters = pgTable(
  "submission_counters",
  {
    /** "<kind>:<HMAC of the client address>" */
    scope: text("scope").notNull(),
    windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
    hits: integer("hits").notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.windowStart] }), index("submission_counters_window_idx").on(t.windowStart)],
);
