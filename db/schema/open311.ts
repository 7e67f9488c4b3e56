import { boolean, index, integer, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";
import { tickets } from "./hotline";
import { users } from "./reference";

/** Open311 GeoReport v2 client applications. The API key is stored only as its SHA-256. */
export const open311Clients = pgTable("open311_clients", {
  id: serial("id").primaryKey(),
  appName: text("app_name").notNull(),
  keyHash: text("key_hash").notNull().unique(),
  /** First characters of the key, for admins to tell keys apart. */
  keyPrefix: text("key_prefix").notNull(),
  issuedBy: integer("issued_by").references(() => users.id),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
  revokedAt: timestamp("revoked_at", { withTimezone: true }),
  isDemo: boolean("is_demo").notNull().default(false),
});

/** Which Open311 client filed which ticket. */
export const open311Submissions = pgTable(
  "open311_submissions",
  {
    ticketId: integer("ticket_id")
      .primaryKey()
      .references(() => tickets.id, { onDelete: "cascade" }),
    clientId: integer("client_id")
      .notNull()
      .references(() => open311Clients.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("open311_submissions_client_idx").on(t.clientId, t.createdAt)],
);
