import { sql } from "drizzle-orm";
import { type Db, rows } from "../db/client";
import { ensureFoundingDocument } from "../domain/policies/policies";
import { log } from "../lib/log";
import { seedSearchIndex } from "../search/seed";
import { seedArchiveDemo } from "./archive";
import { seedConsoleDemo } from "./console";
import { seedFundsDemo } from "./funds";
import { seedHotlineDemo } from "./hotline";
import { seedLedgerDemo } from "./ledger";
import { seedMoneyDemo } from "./money";
import { seedMonitorDemo } from "./monitor";
import { seedOpen311Demo } from "./open311";
import { seedReference } from "./reference";

/**
 * Demo content, one seeder per domain, run in this order on an empty database (and by `npm run seed`).
 * Each marks what it creates as demo data and must be idempotent.
 */
const demoSeeders: { name: string; run: (db: Db) => Promise<void> }[] = [
  { name: "funds", run: seedFundsDemo },
  { name: "money", run: seedMoneyDemo },
  { name: "archive", run: seedArchiveDemo },
  { name: "open311", run: seedOpen311Demo },
  { name: "console", run: seedConsoleDemo },
  { name: "hotline", run: seedHotlineDemo },
  { name: "ledger", run: seedLedgerDemo },
  { name: "monitor", run: seedMonitorDemo },
  // Keep last: indexes whatever the seeders above created.
  { name: "search", run: seedSearchIndex },
];

export async function seedDemo(db: Db) {
  for (const seeder of demoSeeders) {
    const started = Date.now();
    await seeder.run(db);
    log.info("demo data seeded", { seeder: seeder.name, ms: Date.now() - started });
  }
}

/** Seed reference data (and demo content if asked) when the database has no districts yet. */
export async function seedIfEmpty(db: Db, opts: { demo: boolean }) {
  const [{ n }] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM districts`);
  if (n > 0) return false;
  await seedReference(db);
  // The founding document is published on every installation, demo data or not.
  await ensureFoundingDocument(db);
  if (opts.demo) await seedDemo(db);
  return true;
}

export { seedReference };
