import { closeDatabase } from "../db/client";
import { runSweep } from "../domain/casework/sweep";
import { drainOutbox } from "../domain/notifications/outbox";
import { prepare } from "../server/boot";

// npm run sweep — one deadline sweep (reminders 催办, escalations 督办), then drain the outbox.
// Safe to run while the server (which sweeps on an interval) is running, and twice in a row.
const { db } = await prepare();
const r = await runSweep(db);
const sent = await drainOutbox(db, { limit: 10_000 });
console.log(
  `sweep: ${r.reminded} reminders, ${r.escalated} escalations, ${r.firstResponse} first-response escalations in ${r.ms} ms; outbox: ${sent.sent} sent, ${sent.failed} to retry, ${sent.dead} parked`,
);
await closeDatabase();
