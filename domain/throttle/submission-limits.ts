import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { type AddressList, EMPTY_ADDRESS_LIST } from "../../lib/address-list";
import { hmacHex } from "../../lib/crypto";
import { env } from "../../lib/env";
import { AppError } from "../../lib/errors";
import { log } from "../../lib/log";
import { canonicalAddress } from "../../lib/trust-proxy";

// How often one client may submit publicly: tickets filed (web form, API, Open311) and files uploaded
// (evidence, archive photos), per fixed window, counted in the database so every server process shares
// the count. The client is its address as lib/client-address.ts resolves it (socket, or a trusted
// proxy's word), stored only as an HMAC. Addresses in RATE_LIMIT_EXEMPT (a call centre's gateway, a
// load test) and staff intake are not limited; a request with no known address (in-process calls) is
// not either — there is nobody to attribute it to.
//
// A charge that would go over the limit changes nothing and answers 429 with Retry-After.

export type SubmissionKind = "filing" | "upload";

export interface SubmissionClient {
  address: string | null;
}

const MESSAGES: Record<SubmissionKind, string> = {
  filing: "提交过于频繁，请稍后再试。如需反映紧急情况，请拨打 12317。",
  upload: "上传文件过于频繁，请稍后再试。",
};

export interface SubmissionPolicy {
  windowSeconds: number;
  limits: Record<SubmissionKind, number>;
  exempt: AddressList;
}

/** The configured policy (RATE_LIMIT_*). */
export function submissionPolicy(): SubmissionPolicy {
  const e = env();
  return {
    windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
    limits: { filing: e.RATE_LIMIT_FILINGS, upload: e.RATE_LIMIT_UPLOADS },
    exempt: e.RATE_LIMIT_EXEMPT ?? EMPTY_ADDRESS_LIST,
  };
}

/** Whether this client is limited at all (known address, not exempt, limit on). */
export function isLimited(
  kind: SubmissionKind,
  client: SubmissionClient | null | undefined,
  policy: SubmissionPolicy = submissionPolicy(),
): boolean {
  if (!client?.address || policy.limits[kind] === 0) return false;
  return !policy.exempt.has(client.address);
}

/**
 * Count `units` submissions of `kind` for the client in the current window, or throw 429 when that
 * would exceed the limit (then nothing is counted).
 */
export async function chargeSubmission(
  db: Db,
  kind: SubmissionKind,
  client: SubmissionClient | null | undefined,
  units = 1,
  policy: SubmissionPolicy = submissionPolicy(),
): Promise<void> {
  if (!isLimited(kind, client, policy)) return;
  const limit = policy.limits[kind];
  const { windowSeconds } = policy;
  // One key per address however it was written (an IPv4-mapped IPv6 address is the IPv4 one).
  const address = canonicalAddress(client?.address) ?? client?.address ?? "";
  const scope = `${kind}:${hmacHex("client-address", address).slice(0, 32)}`;
  const [r] = await rows<{ hits: number | null; retry_after: number }>(
    db,
    sql`WITH w AS (
          SELECT to_timestamp(floor(extract(epoch FROM now()) / ${windowSeconds}) * ${windowSeconds}) AS start
        ), up AS (
          INSERT INTO submission_counters AS c (scope, window_start, hits)
          SELECT ${scope}, w.start, ${units} FROM w WHERE ${units} <= ${limit}
          ON CONFLICT (scope, window_start) DO UPDATE SET hits = c.hits + EXCLUDED.hits
            WHERE c.hits + EXCLUDED.hits <= ${limit}
          RETURNING hits
        )
        SELECT (SELECT hits FROM up) AS hits,
          ceil(extract(epoch FROM (SELECT start FROM w) + make_interval(secs => ${windowSeconds}) - now()))::int AS retry_after`,
  );
  if (r?.hits == null) {
    log.warn("submission limit reached", { kind, limit, windowSeconds });
    throw new AppError("TOO_MANY_REQUESTS", MESSAGES[kind], undefined, {
      "Retry-After": String(Math.max(1, r?.retry_after ?? windowSeconds)),
    });
  }
  // Past windows are of no use: drop them now and then (about one charge in fifty).
  if (Math.random() < 0.02) {
    await rows(
      db,
      sql`DELETE FROM submission_counters WHERE window_start < now() - make_interval(secs => ${windowSeconds * 2})`,
    );
  }
}
