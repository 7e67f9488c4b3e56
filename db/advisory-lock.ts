import postgres from "postgres";
import { log } from "../lib/log";
import { database } from "./client";

// Background jobs that must not run twice at once — the sweep/outbox round, the monitoring fetch round,
// the search outbox worker — are elected here. Across nodes: a PostgreSQL session advisory lock on a
// connection of its own (a pooled connection would hand the lock to whichever query came next), on the
// database the process uses; the lock dies with that connection, so a node that crashes mid-job frees
// it for the next node's tick. Within a process: a job whose lock this process already holds is skipped
// too. The embedded database has one process by construction, so only the second rule applies there.

let lockClient: { url: string; sql: postgres.Sql } | undefined;
const heldHere = new Set<string>();

function client(url: string) {
  if (lockClient?.url !== url) {
    void lockClient?.sql.end({ timeout: 2 });
    lockClient = {
      url,
      sql: postgres(url, {
        max: 4,
        idle_timeout: 60,
        onnotice: () => {},
        connection: { application_name: "sunshine-locks" },
      }),
    };
  }
  return lockClient.sql;
}

const key = (name: string) => `sunshine:${name}`;

/**
 * Run `job` only if no other process (and no other caller in this one) holds the lock `name` (then
 * returns { ran: true }); otherwise skip it at once (returns { ran: false }) — the holder is doing the work.
 */
export async function withAdvisoryLock<T>(
  name: string,
  job: () => Promise<T>,
): Promise<{ ran: true; result: T } | { ran: false }> {
  if (heldHere.has(name)) return { ran: false };
  heldHere.add(name);
  try {
    const { url } = await database();
    if (!url) return { ran: true, result: await job() };
    const reserved = await client(url).reserve();
    try {
      const [row] = await reserved<{ got: boolean }[]>`
        SELECT pg_try_advisory_lock(('x' || substr(md5(${key(name)}), 1, 16))::bit(64)::bigint) AS got`;
      if (!row?.got) return { ran: false };
      try {
        return { ran: true, result: await job() };
      } finally {
        await reserved`SELECT pg_advisory_unlock(('x' || substr(md5(${key(name)}), 1, 16))::bit(64)::bigint)`.catch(
          (err) => log.warn("advisory unlock failed", { lock: name, error: (err as Error).message }),
        );
      }
    } finally {
      reserved.release();
    }
  } finally {
    heldHere.delete(name);
  }
}

export async function closeAdvisoryLocks() {
  const c = lockClient;
  lockClient = undefined;
  await c?.sql.end({ timeout: 2 });
}
