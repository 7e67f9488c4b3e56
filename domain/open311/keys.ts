import { createHash, randomBytes } from "node:crypto";
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { open311Clients } from "../../db/schema";
import { AppError } from "../../lib/errors";
import { appendAudit } from "../audit/audit-log";

// Open311 API keys: issued by an admin to a client application (a civic-reporting app), required on
// POST requests. The key is shown once at issue and stored only as its SHA-256: keys carry 256 random
// bits, so unlike passwords there is nothing to brute-force and a slow hash would only slow intake.

const KEY_PREFIX = "o311_";

export function hashOpen311Key(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

export function generateOpen311Key(): string {
  return KEY_PREFIX + randomBytes(32).toString("base64url");
}

export interface Open311Client {
  id: number;
  appName: string;
  keyPrefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  isDemo: boolean;
}

function toClient(row: typeof open311Clients.$inferSelect): Open311Client {
  return {
    id: row.id,
    appName: row.appName,
    keyPrefix: row.keyPrefix,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    isDemo: row.isDemo,
  };
}

/**
 * Issue a key to a client application. Returns the key in clear text — the only time it exists
 * outside the caller; store it in the client app, it cannot be shown again.
 * `issuedBy` is the admin's user id (the staff console passes it; the CLI passes null). Audited.
 */
export async function issueOpen311Key(
  db: Db,
  input: { appName: string; issuedBy?: number | null },
): Promise<{ client: Open311Client; key: string }> {
  const appName = input.appName.trim();
  if (appName.length < 1 || appName.length > 100) {
    throw new AppError("VALIDATION_FAILED", "应用名称须为 1–100 个字符", [
      { path: "appName", message: "应用名称须为 1–100 个字符" },
    ]);
  }
  const key = generateOpen311Key();
  const row = await db.transaction(async (tx) => {
    const [created] = await tx
      .insert(open311Clients)
      .values({
        appName,
        keyHash: hashOpen311Key(key),
        keyPrefix: key.slice(0, KEY_PREFIX.length + 6),
        issuedBy: input.issuedBy ?? null,
      })
      .returning();
    await appendAudit(tx, {
      actorId: input.issuedBy ?? null,
      action: "open311.key.issue",
      subjectType: "open311_client",
      subjectId: String(created.id),
      details: { appName, keyPrefix: created.keyPrefix },
    });
    return created;
  });
  return { client: toClient(row), key };
}

/** Revoke a key: later requests with it are refused with 403. Idempotent. */
export async function revokeOpen311Key(
  db: Db,
  clientId: number,
  revokedBy: number | null = null,
): Promise<Open311Client> {
  const row = await db.transaction(async (tx) => {
    const [updated] = await tx
      .update(open311Clients)
      .set({ revokedAt: sql`coalesce(${open311Clients.revokedAt}, now())` })
      .where(eq(open311Clients.id, clientId))
      .returning();
    if (!updated) throw new AppError("NOT_FOUND", "没有这个 Open311 客户端");
    await appendAudit(tx, {
      actorId: revokedBy,
      action: "open311.key.revoke",
      subjectType: "open311_client",
      subjectId: String(clientId),
      details: { appName: updated.appName, keyPrefix: updated.keyPrefix },
    });
    return updated;
  });
  return toClient(row);
}

/** Every client application, for the admin's list (no hashes). */
export async function listOpen311Clients(db: Db): Promise<Open311Client[]> {
  const list = await db.select().from(open311Clients).orderBy(asc(open311Clients.id));
  return list.map(toClient);
}

/** The active client that holds this key, or null (unknown or revoked). Marks it used. */
export async function authenticateOpen311Key(db: Db, key: string | undefined | null): Promise<Open311Client | null> {
  if (!key || key.length > 200) return null;
  const [row] = await db
    .update(open311Clients)
    .set({ lastUsedAt: sql`now()` })
    .where(and(eq(open311Clients.keyHash, hashOpen311Key(key)), isNull(open311Clients.revokedAt)))
    .returning();
  return row ? toClient(row) : null;
}
