import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { rows } from "../../db/client";
import {
  deleteFiles,
  openFile,
  putFile,
  readFileBytes,
  setBlobStore,
  sha256Hex,
  statFile,
  sweepUnusedBlobs,
} from "../../storage/files";
import { CHUNK_BYTES } from "../../storage/postgres-blobs";
import { testDatabase } from "../support/db";

const db = async () => (await testDatabase()).db;

afterEach(() => setBlobStore(undefined));

describe("stored files, PostgreSQL backend", () => {
  it("stores a file in chunks and streams it back piece by piece", async () => {
    const d = await db();
    const bytes = randomBytes(CHUNK_BYTES * 5 + 1234);
    const stored = await putFile(d, "test/big.bin", bytes, "application/octet-stream");
    expect(stored.sha256).toBe(sha256Hex(bytes));
    const [c] = await rows<{ n: number }>(d, sql`SELECT count(*)::int AS n FROM file_blob_chunks`);
    expect(c.n).toBe(6);
    const opened = await openFile(d, "test/big.bin");
    expect(opened?.byteSize).toBe(bytes.length);
    const parts: Uint8Array[] = [];
    for await (const part of opened!.body) parts.push(part);
    expect(parts.length).toBe(6);
    expect(Math.max(...parts.map((p) => p.length))).toBe(CHUNK_BYTES);
    expect(Buffer.concat(parts).equals(bytes)).toBe(true);
  });

  it("stores identical content once however many names point at it", async () => {
    const d = await db();
    const bytes = randomBytes(1000);
    await putFile(d, "a/1.jpg", bytes, "image/jpeg");
    await putFile(d, "b/2.jpg", bytes, "image/jpeg");
    const [blobs] = await rows<{ n: number }>(d, sql`SELECT count(*)::int AS n FROM file_blobs`);
    const [chunks] = await rows<{ n: number }>(d, sql`SELECT count(*)::int AS n FROM file_blob_chunks`);
    expect([blobs.n, chunks.n]).toEqual([1, 1]);
    expect((await readFileBytes(d, "b/2.jpg"))?.equals(bytes)).toBe(true);
    // Forgetting one name keeps the blob for the other.
    await deleteFiles(d, ["a/1.jpg"]);
    expect(await sweepUnusedBlobs(d, 0)).toBe(0);
    expect(await statFile(d, "a/1.jpg")).toBeNull();
    expect((await readFileBytes(d, "b/2.jpg"))?.equals(bytes)).toBe(true);
  });

  it("sweeps blobs no name points at, but only once they are old enough", async () => {
    const d = await db();
    await putFile(d, "p/x/480.webp", randomBytes(10), "image/webp");
    await putFile(d, "p/x/960.webp", randomBytes(10), "image/webp");
    await putFile(d, "p/y/480.webp", randomBytes(10), "image/webp");
    expect(await deleteFiles(d, { prefix: "p/x/" })).toBe(2);
    expect(await sweepUnusedBlobs(d)).toBe(0); // younger than an hour
    expect(await sweepUnusedBlobs(d, 0)).toBe(2);
    const [left] = await rows<{ n: number }>(d, sql`SELECT count(*)::int AS n FROM file_blob_chunks`);
    expect(left.n).toBe(1);
    expect(await statFile(d, "p/y/480.webp")).not.toBeNull();
  });

  it("a failed transaction leaves neither the name nor the blob", async () => {
    const d = await db();
    await expect(
      d.transaction(async (tx) => {
        await putFile(tx, "t/rollback.bin", randomBytes(50), "application/octet-stream");
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    const [n] = await rows<{ n: number }>(d, sql`SELECT count(*)::int AS n FROM file_blobs`);
    expect(n.n).toBe(0);
    expect(await openFile(d, "t/rollback.bin")).toBeNull();
  });

  it("an empty file round-trips", async () => {
    const d = await db();
    await putFile(d, "e/empty", new Uint8Array(0), "text/plain");
    expect((await readFileBytes(d, "e/empty"))?.length).toBe(0);
  });
});
