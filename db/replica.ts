import { sql } from "drizzle-orm";
import { env } from "../lib/env";
import { log } from "../lib/log";
import { type Database, type Db, getDb, openDatabase, rows } from "./client";

// Read routing to a streaming replica (DATABASE_REPLICA_URL). Read-only public queries ask for readDb();
// it is the replica while the replica is known to be at most REPLICA_MAX_LAG_SECONDS behind, else the
// primary. Writes, and reads that must see the caller's own writes, use getDb() as before.
//
// Lag is measured, not trusted from the replica's clock or its last commit time: every CHECK_MS the
// primary's current WAL position is sampled, and the replica's lag is the age of the oldest sample it
// has not replayed yet. So an idle system reads as 0 s behind, a replica that stopped replaying reads
// as ever further behind, and a replica that cannot be reached is not used at all. A read can thus be
// stale by at most the threshold plus one check interval.

const CHECK_MS = 500;

export interface ReplicaStatus {
  configured: boolean;
  /** Seconds behind the primary (null: unknown — not reachable or not checked yet). */
  lagSeconds: number | null;
  /** Reads go to the replica right now. */
  inUse: boolean;
  error?: string;
}

const SLOT = Symbol.for("sunshine.replica");
type Slot = {
  replica?: Promise<Database>;
  status: ReplicaStatus;
  samples: { lsn: bigint; at: number }[];
  timer?: NodeJS.Timeout;
};
const slot: Slot = ((globalThis as Record<symbol, Slot>)[SLOT] ??= {
  status: { configured: false, lagSeconds: null, inUse: false },
  samples: [],
});

/** "16/B374D848" → a comparable number. */
export function parseLsn(lsn: string): bigint {
  const [hi, lo] = lsn.split("/");
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}

/**
 * The replica's lag given the primary's sampled positions (oldest first) and the replica's replayed
 * position: the age of the oldest sample not yet replayed, or 0. Pure; drops replayed samples.
 */
export function lagFromSamples(samples: { lsn: bigint; at: number }[], replayed: bigint, now: number): number {
  while (samples.length > 0 && samples[0].lsn <= replayed) samples.shift();
  return samples.length === 0 ? 0 : (now - samples[0].at) / 1000;
}

async function check() {
  const e = env();
  try {
    const primary = await getDb();
    const [p] = await rows<{ lsn: string }>(primary, sql`SELECT pg_current_wal_lsn()::text AS lsn`);
    slot.samples.push({ lsn: parseLsn(p.lsn), at: Date.now() });
    if (slot.samples.length > 10_000) slot.samples.shift();
    slot.replica ??= openDatabase({ url: e.DATABASE_REPLICA_URL, poolMax: e.DATABASE_POOL_MAX });
    const replica = (await slot.replica).db;
    const [r] = await rows<{ lsn: string | null }>(replica, sql`SELECT pg_last_wal_replay_lsn()::text AS lsn`);
    if (!r?.lsn) throw new Error("DATABASE_REPLICA_URL is not a replica (pg_last_wal_replay_lsn() is null)");
    const lag = lagFromSamples(slot.samples, parseLsn(r.lsn), Date.now());
    const inUse = lag <= e.REPLICA_MAX_LAG_SECONDS;
    if (inUse !== slot.status.inUse)
      log.info(inUse ? "replica reads on" : "replica behind: reads go to the primary", { lagSeconds: lag });
    slot.status = { configured: true, lagSeconds: lag, inUse };
  } catch (err) {
    if (slot.status.inUse || slot.status.error === undefined) {
      log.warn("replica unavailable: reads go to the primary", { error: (err as Error).message });
    }
    const oldest = slot.samples[0];
    slot.status = {
      configured: true,
      lagSeconds: oldest ? (Date.now() - oldest.at) / 1000 : null,
      inUse: false,
      error: (err as Error).message,
    };
  }
}

/** Start watching the replica (server start-up; a no-op without DATABASE_REPLICA_URL). */
export function startReplicaMonitor(): () => Promise<void> {
  if (!env().DATABASE_REPLICA_URL || slot.timer) return async () => {};
  slot.status = { configured: true, lagSeconds: null, inUse: false };
  let busy = false;
  slot.timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void check().finally(() => {
      busy = false;
    });
  }, CHECK_MS);
  slot.timer.unref();
  void check();
  return async () => {
    clearInterval(slot.timer);
    slot.timer = undefined;
    const replica = slot.replica;
    slot.replica = undefined;
    slot.status = { configured: true, lagSeconds: null, inUse: false };
    await (await replica?.catch(() => undefined))?.close();
  };
}

export function replicaStatus(): ReplicaStatus {
  return slot.status;
}

/** The database for a read-only public query: the replica when it is close enough, else the primary. */
export async function readDb(): Promise<Db> {
  if (slot.status.inUse && slot.replica) {
    const replica = await slot.replica.catch(() => undefined);
    if (replica) return replica.db;
  }
  return getDb();
}
