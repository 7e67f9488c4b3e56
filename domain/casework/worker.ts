import type { Db } from "../../db/client";
import { env } from "../../lib/env";
import { log } from "../../lib/log";
import { drainOutbox } from "../notifications/outbox";
import { compactHotlineStats } from "../stats/hotline";
import { runSweep } from "./sweep";

// Background work of the server process: the deadline sweep, the outbox drain and folding the
// public statistics' pending deltas into their rollup, every
// SWEEP_INTERVAL_SECONDS (0 = off). Both are safe with several processes running them at once.

export function startBackgroundWork(getDb: () => Promise<Db>): () => void {
  const seconds = env().SWEEP_INTERVAL_SECONDS;
  if (seconds <= 0) return () => {};
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const db = await getDb();
      await runSweep(db);
      await drainOutbox(db, { limit: 500 });
      await compactHotlineStats(db);
    } catch (err) {
      log.warn("background work failed", { error: (err as Error).message });
    } finally {
      running = false;
    }
  };
  const first = setTimeout(tick, 5_000);
  const timer = setInterval(tick, seconds * 1000);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
