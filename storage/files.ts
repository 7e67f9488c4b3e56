import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { type Db, rows } from "../db/client";
import { env } from "../lib/env";
import type { BlobStore } from "./blob-store";
import { postgresBlobStore } from "./postgres-blobs";
import { s3BlobStore } from "./s3-blobs";

// Stored files: the application names a file ("evidence/<random>", "archive/photos/<key>/960.webp"),
// the bytes are a content-addressed blob (identical content is stored once) in the configured backend
// (FILE_STORAGE: postgres by default, or s3). Every node reads and writes the same store, so a file
// uploaded through one node is served by any other.

export interface StoredFile {
  name: string;
  sha256: string;
  contentType: string;
  byteSize: number;
  createdAt: Date;
}

export interface OpenedFile extends StoredFile {
  body: ReadableStream<Uint8Array>;
}

let configured: BlobStore | undefined;

/** The backend chosen by configuration (FILE_STORAGE and, for s3, the S3_* variables). */
export function blobStore(): BlobStore {
  if (!configured) {
    const e = env();
    configured =
      e.FILE_STORAGE === "s3"
        ? s3BlobStore({
            endpoint: e.S3_ENDPOINT!,
            bucket: e.S3_BUCKET!,
            region: e.S3_REGION,
            accessKeyId: e.S3_ACCESS_KEY_ID!,
            secretAccessKey: e.S3_SECRET_ACCESS_KEY!,
          })
        : postgresBlobStore;
  }
  return configured;
}

/** Use another backend (tests). */
export function setBlobStore(store: BlobStore | undefined) {
  configured = store;
}

export function sha256Hex(bytes: Uint8Array) {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Store `bytes` under `name` (replacing what the name pointed at). The blob's row, its bytes (PostgreSQL
 * backend) and the name commit together; when the same content is already stored, only the name is
 * added (and the blob's age renewed, so a concurrent sweep cannot delete it from under the new name).
 */
export async function putFile(db: Db, name: string, bytes: Uint8Array, contentType: string): Promise<StoredFile> {
  const store = blobStore();
  const sha256 = sha256Hex(bytes);
  if (store.backend !== "postgres") await store.put(db, sha256, bytes);
  return db.transaction(async (tx) => {
    const [blob] = await rows<{ inserted: boolean }>(
      tx,
      sql`INSERT INTO file_blobs (sha256, byte_size, backend) VALUES (${sha256}, ${bytes.length}, ${store.backend})
          ON CONFLICT (sha256) DO UPDATE SET created_at = now()
          RETURNING (xmax = 0) AS inserted`,
    );
    if (blob.inserted && store.backend === "postgres") await store.put(tx, sha256, bytes);
    const [file] = await rows<{ created_at: Date | string }>(
      tx,
      sql`INSERT INTO stored_files (name, sha256, content_type, byte_size)
          VALUES (${name}, ${sha256}, ${contentType}, ${bytes.length})
          ON CONFLICT (name) DO UPDATE SET sha256 = excluded.sha256, content_type = excluded.content_type,
            byte_size = excluded.byte_size, created_at = now()
          RETURNING created_at`,
    );
    return { name, sha256, contentType, byteSize: bytes.length, createdAt: new Date(file.created_at) };
  });
}

/** What a name points at, or null. */
export async function statFile(db: Db, name: string): Promise<StoredFile | null> {
  const [row] = await rows<{
    sha256: string;
    content_type: string;
    byte_size: string | number;
    created_at: Date | string;
  }>(db, sql`SELECT sha256, content_type, byte_size, created_at FROM stored_files WHERE name = ${name}`);
  if (!row) return null;
  return {
    name,
    sha256: row.sha256,
    contentType: row.content_type,
    byteSize: Number(row.byte_size),
    createdAt: new Date(row.created_at),
  };
}

/** The file as a stream of its bytes, or null when no such name is stored. */
export async function openFile(db: Db, name: string): Promise<OpenedFile | null> {
  const file = await statFile(db, name);
  if (!file) return null;
  return { ...file, body: await blobStore().open(db, file.sha256) };
}

/** The whole file in memory (small files only: callers that send a file use openFile). */
export async function readFileBytes(db: Db, name: string): Promise<Buffer | null> {
  const opened = await openFile(db, name);
  if (!opened) return null;
  const parts: Uint8Array[] = [];
  for await (const part of opened.body) parts.push(part);
  return Buffer.concat(parts);
}

/** Forget names: exact names, or every name under a prefix ending in "/". The blobs go at the next sweep. */
export async function deleteFiles(db: Db, names: string[] | { prefix: string }): Promise<number> {
  if (Array.isArray(names)) {
    if (names.length === 0) return 0;
    const deleted = await rows(db, sql`DELETE FROM stored_files WHERE name IN ${names} RETURNING name`);
    return deleted.length;
  }
  if (!names.prefix.endsWith("/")) throw new Error("deleteFiles: a prefix must end with /");
  const like = `${names.prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const deleted = await rows(db, sql`DELETE FROM stored_files WHERE name LIKE ${like} RETURNING name`);
  return deleted.length;
}

/** Names under a prefix older than `olderThan`, in name order after `after` (for sweeps). */
export async function listFiles(db: Db, prefix: string, olderThan: Date, limit = 1000, after = ""): Promise<string[]> {
  const like = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const found = await rows<{ name: string }>(
    db,
    sql`SELECT name FROM stored_files WHERE name LIKE ${like} AND name > ${after} AND created_at < ${olderThan.toISOString()}
        ORDER BY name LIMIT ${limit}`,
  );
  return found.map((r) => r.name);
}

/**
 * Delete blobs no name points at any more and not written in the last `minAgeMs` (a write in progress
 * renews the age of the blob it reuses). Safe on several nodes at once: each blob row is deleted once.
 */
export async function sweepUnusedBlobs(db: Db, minAgeMs = 60 * 60 * 1000): Promise<number> {
  const cutoff = new Date(Date.now() - minAgeMs).toISOString();
  const gone = await rows<{ sha256: string }>(
    db,
    sql`DELETE FROM file_blobs b
        WHERE b.sha256 IN (
          SELECT sha256 FROM file_blobs f
          WHERE f.created_at < ${cutoff} AND NOT EXISTS (SELECT 1 FROM stored_files s WHERE s.sha256 = f.sha256)
          LIMIT 500)
          AND b.created_at < ${cutoff}
          AND NOT EXISTS (SELECT 1 FROM stored_files s WHERE s.sha256 = b.sha256)
        RETURNING b.sha256`,
  );
  const store = blobStore();
  for (const { sha256 } of gone) await store.remove(sha256);
  return gone.length;
}
