import { withAdvisoryLock } from "../db/advisory-lock";
import type { Db } from "../db/client";
import { runSweep } from "../domain/casework/sweep";
import { sweepOrphanEvidence } from "../domain/hotline/evidence";
import { compactMoneyProgress } from "../domain/money/progress";
import { openStuckMoneyEntries } from "../domain/money/stuck";
import { startMonitorFetcher } from "../domain/monitor/fetcher";
import { drainOutbox } from "../domain/notifications/outbox";
import { compactHotlineStats } from "../domain/stats/hotline";
import { startLogSequencer } from "../domain/transparency/sequencer";
import { env } from "../lib/env";
import { repeatEvery } from "../lib/repeat";
import { startSearchWorker } from "../search/worker";
import { sweepUnusedBlobs } from "../storage/files";
import { backgroundRunFinished } from "./metrics";

// Background work of the server's primary process: every SWEEP_INTERVAL_SECONDS (0 = off) the deadline
// sweep, the notification outbox drain, folding the public statistics' and the money progress's pending deltas into their rollups,
// stuck-money ledger entries and removing stored files nothing refers to — on one node at a time
// (an advisory lock, db/advisory-lock.ts); with Meilisearch, a worker that sends the search outbox's
// changes to it (with retries), elected by the same kind of lock; the transparency log's sequencer every
// LOG_SEQUENCER_INTERVAL_MS; the online-opinion monitor's fetch round every MONITOR_INTERVAL_SECONDS.
// Returns a function that stops all of it.
export async function startBackgroundWork(getDb: () => Promise<Db>): Promise<() => Promise<void>> {
  const searchWorker = env().MEILISEARCH_URL ? await startSearchWorker() : undefined;
  const stopLogSequencer = startLogSequencer(getDb);
  const stopMonitor = startMonitorFetcher(getDb);
  const seconds = env().SWEEP_INTERVAL_SECONDS;
  let stopTimers = () => {};
  if (seconds > 0) {
    stopTimers = repeatEvery(seconds, 5_000, "background work failed", async () => {
      const db = await getDb();
      // Every node schedules the work; one at a time does it (a PostgreSQL advisory lock): a node that
      // finds the lock taken skips this round, and a crashed holder's lock dies with its connection.
      const round = await withAdvisoryLock("background-work", async () => {
        await runSweep(db);
        await drainOutbox(db, { limit: 500 });
        await compactHotlineStats(db);
        await compactMoneyProgress(db);
        await openStuckMoneyEntries(db);
        await sweepOrphanEvidence(db);
        await sweepUnusedBlobs(db);
      });
      if (round.ran) backgroundRunFinished();
    });
  }
  return async () => {
    stopTimers();
    stopLogSequencer();
    stopMonitor();
    await searchWorker?.stop();
  };
}
