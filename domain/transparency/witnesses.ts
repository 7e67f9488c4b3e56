import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { backoffDelay } from "../../lib/backoff";
import { log } from "../../lib/log";
import { checkNoteSignatures, parseNote, parseVerifierKey, type VerifierKey } from "../../lib/tlog/note";
import { formatAddCheckpoint, TLOG_SIZE_TYPE } from "../../lib/tlog/witness";
import { logWitnesses, type Witness } from "./keys";
import { consistencyProof, latestCheckpoint } from "./read";

// Asking the configured witnesses (SUNSHINE_LOG_WITNESSES) to cosign the newest checkpoint, per C2SP
// tlog-witness: add-checkpoint with the size the witness last cosigned and a consistency proof from it.
// Verified cosignature lines are stored in log_cosignatures and appended to /log/checkpoint. It runs
// beside the sequencer, never inside it: a witness that is slow or down costs a timeout and then a
// growing pause (backoff) for that witness alone, and sequencing goes on.

const TIMEOUT_MS = 3_000;
const MAX_BACKOFF_MS = 5 * 60_000;

export interface WitnessHealth {
  url: string;
  name: string;
  /** Size of the newest checkpoint this witness cosigned (0: none yet). */
  cosignedSize: number;
  /** Consecutive failures; 0 when the last request succeeded. */
  failures: number;
  lastError: string | null;
  /** When the next request may be sent (ms since epoch), after failures. */
  retryAt: number;
}

interface Tracked {
  witness: Witness;
  key: VerifierKey;
  health: WitnessHealth;
  /** The size the witness has cosigned, as far as this process knows (null: ask the database). */
  known: number | null;
}

let tracked: { config: string; list: Tracked[] } | undefined;

async function trackedWitnesses(witnesses: Witness[] = logWitnesses()): Promise<Tracked[]> {
  const config = JSON.stringify(witnesses);
  if (tracked?.config === config) return tracked.list;
  const list: Tracked[] = [];
  for (const witness of witnesses) {
    const key = await parseVerifierKey(witness.vkey);
    list.push({
      witness,
      key,
      known: null,
      health: { url: witness.url, name: key.name, cosignedSize: 0, failures: 0, lastError: null, retryAt: 0 },
    });
  }
  tracked = { config, list };
  return list;
}

/** Each witness's state in this process (for /api/health). */
export async function witnessHealth(witnesses?: Witness[]): Promise<WitnessHealth[]> {
  return (await trackedWitnesses(witnesses)).map((t) => ({ ...t.health }));
}

export type Post = (url: string, body: string) => Promise<{ status: number; type: string; body: string }>;

const httpPost: Post = async (url, body) => {
  const res = await fetch(`${url.replace(/\/$/, "")}/add-checkpoint`, {
    method: "POST",
    body,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  return { status: res.status, type: res.headers.get("content-type") ?? "", body: await res.text() };
};

/** Ask one witness to cosign the checkpoint; returns its verified signature line. */
async function requestCosignature(db: Db, t: Tracked, size: number, note: string, post: Post): Promise<string> {
  if (t.known === null) {
    const [r] = await rows<{ size: string | number | null }>(
      db,
      sql`SELECT max(size) AS size FROM log_cosignatures WHERE witness = ${t.key.vkey}`,
    );
    t.known = Number(r?.size ?? 0);
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    const old = Math.min(t.known, size);
    const proof = old > 0 && old < size ? await consistencyProof(db, size, old) : [];
    const res = await post(t.witness.url, formatAddCheckpoint(old, proof, note));
    if (res.status === 409 && res.type.startsWith(TLOG_SIZE_TYPE) && /^\d+\n$/.test(res.body)) {
      // The witness has seen another size (its state was reset, or another process asked): start from it.
      const theirs = Number(res.body.trim());
      if (theirs > size) throw new Error(`the witness has cosigned size ${theirs}, larger than ours (${size})`);
      t.known = theirs;
      continue;
    }
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.body.trim().slice(0, 200)}`);
    const lines = res.body.split(/(?<=\n)/).filter((l) => l.startsWith("\u2014 "));
    for (const line of lines) {
      const checks = await checkNoteSignatures(parseNote(`${note}${line}`), [t.key]);
      if (checks.length === 1 && checks[0].ok) {
        t.known = size;
        return line;
      }
    }
    throw new Error("the answer holds no valid cosignature by the witness's key");
  }
  throw new Error("the witness keeps answering 409");
}

/**
 * Send the newest checkpoint to every configured witness that has not cosigned it (and is not in
 * backoff), store the verified cosignatures. Returns how many were added.
 */
export async function cosignLatest(
  db: Db,
  opts: { witnesses?: Witness[]; post?: Post; now?: () => number } = {},
): Promise<number> {
  const list = await trackedWitnesses(opts.witnesses);
  if (list.length === 0) return 0;
  const cp = await latestCheckpoint(db);
  if (!cp) return 0;
  const now = opts.now ?? Date.now;
  const results = await Promise.all(
    list.map(async (t) => {
      if (t.health.cosignedSize >= cp.size || t.health.retryAt > now()) return 0;
      try {
        const line = await requestCosignature(db, t, cp.size, cp.note, opts.post ?? httpPost);
        await db.execute(sql`INSERT INTO log_cosignatures (size, witness, line) VALUES (${cp.size}, ${t.key.vkey}, ${line})
          ON CONFLICT DO NOTHING`);
        t.health = { ...t.health, cosignedSize: cp.size, failures: 0, lastError: null, retryAt: 0 };
        return 1;
      } catch (err) {
        const failures = t.health.failures + 1;
        const message = (err as Error).message;
        if (failures === 1 || message !== t.health.lastError) {
          log.warn("transparency log witness failed", { witness: t.health.name, error: message });
        }
        t.known = null;
        t.health = {
          ...t.health,
          failures,
          lastError: message,
          retryAt: now() + backoffDelay(failures + 1, { base: 1000, max: MAX_BACKOFF_MS }),
        };
        return 0;
      }
    }),
  );
  return results.reduce<number>((a, b) => a + b, 0);
}

/** Forget witness state (tests that change the configuration or the database). */
export function forgetWitnesses() {
  tracked = undefined;
}
