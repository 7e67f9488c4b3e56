import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { allocationVersions } from "../funds/allocations";
import { noticeVersions } from "../notices/notices";
import { appendPendingMany, FUND_VERSION_ENTRY, NOTICE_VERSION_ENTRY, recordVersionEntry } from "./entries";

// Records published before the log recorded them (fund versions before migration 0100, notice versions
// before 0200) are logged late, once per kind, by the sequencer under its lock: one entry for every
// published version without an entry, with `loggedLate` set to the time it was logged. A kind is
// marked done in log_backfills in the same transaction, so a crash or a second sequencer never logs a
// version twice. (Money records are logged late by migration 0200 itself: SQL can build their JSON.)

const KINDS = [FUND_VERSION_ENTRY, NOTICE_VERSION_ENTRY] as const;
type Kind = (typeof KINDS)[number];

/** Kinds known done in this process (a database does not un-finish a backfill). */
const done = new Set<string>();

/** Forget what this process knows (tests that start from an empty database). */
export function forgetBackfills() {
  done.clear();
}

/** Versions of records of a kind without an entry, pending or appended: [id, version]. */
async function missing(tx: Db, kind: Kind): Promise<[number, number][]> {
  const source =
    kind === FUND_VERSION_ENTRY
      ? sql`SELECT allocation_id AS id, version FROM fund_allocation_versions`
      : sql`SELECT id, 1 AS version FROM notices WHERE published_at IS NOT NULL
            UNION ALL SELECT id, CASE WHEN published_at IS NULL THEN 1 ELSE 2 END FROM notices WHERE withdrawn_at IS NOT NULL`;
  const prefix = `${kind}:`;
  const list = await rows<{ id: number; version: number }>(
    tx,
    sql`SELECT s.id, s.version FROM (${source}) s
        WHERE NOT EXISTS (SELECT 1 FROM log_entries e WHERE e.ref = ${prefix} || s.id
                            AND (e.entry::jsonb ->> 'version')::int = s.version)
          AND NOT EXISTS (SELECT 1 FROM log_pending p WHERE p.ref = ${prefix} || s.id AND p.entry IS NOT NULL
                            AND (p.entry::jsonb ->> 'version')::int = s.version)
        ORDER BY s.id, s.version`,
  );
  return list.map((r) => [Number(r.id), Number(r.version)]);
}

async function versionsOf(tx: Db, kind: Kind, ids: number[]) {
  const out = new Map<number, { version: number; time: Date; publicJson: unknown }[]>();
  if (kind === FUND_VERSION_ENTRY) {
    for (const v of await allocationVersions(tx, ids, false)) {
      const list = out.get(v.allocationId) ?? [];
      list.push({ version: v.version.version, time: v.at, publicJson: v.version });
      out.set(v.allocationId, list);
    }
  } else {
    for (const [id, list] of await noticeVersions(tx, ids)) {
      out.set(
        id,
        list.map((v) => ({ version: v.version.version, time: v.time, publicJson: v.version })),
      );
    }
  }
  return out;
}

/** Log late every published version of each kind not yet backfilled (inside the sequencer's transaction). */
export async function backfillPublished(tx: Db): Promise<number> {
  if (KINDS.every((k) => done.has(k))) return 0;
  const marked = await rows<{ kind: string }>(tx, sql`SELECT kind FROM log_backfills`);
  for (const m of marked) done.add(m.kind);
  let added = 0;
  const now = new Date();
  for (const kind of KINDS) {
    if (done.has(kind)) continue;
    const want = await missing(tx, kind);
    const ids = [...new Set(want.map(([id]) => id))];
    const versions = ids.length > 0 ? await versionsOf(tx, kind, ids) : new Map();
    const items = want.flatMap(([id, version]) => {
      const v = versions.get(id)?.find((x: { version: number }) => x.version === version);
      return v
        ? [{ entry: recordVersionEntry(kind, String(id), version, v.time, v.publicJson, now), ref: `${kind}:${id}` }]
        : [];
    });
    for (let i = 0; i < items.length; i += 1000) await appendPendingMany(tx, items.slice(i, i + 1000));
    await tx.execute(sql`INSERT INTO log_backfills (kind, entries) VALUES (${kind}, ${items.length})`);
    done.add(kind);
    added += items.length;
  }
  return added;
}
