import { sql } from "drizzle-orm";
import { rows } from "../db/client";
import { BlobMissingError, type BlobStore } from "./blob-store";

// The default backend: a blob's bytes are rows of file_blob_chunks in the same database as everything
// else, so any node serves any file, backups and replicas include them and no node needs a shared disk.
// Chunks of 256 KiB keep each row and each read small; a download reads CHUNKS_PER_READ at a time, as
// fast as the client takes them.

export const CHUNK_BYTES = 256 * 1024;
const CHUNKS_PER_READ = 4;

export const postgresBlobStore: BlobStore = {
  backend: "postgres",
  async put(db, sha256, bytes) {
    for (let seq = 0, off = 0; seq === 0 || off < bytes.length; seq++, off += CHUNK_BYTES) {
      const piece = Buffer.from(bytes.subarray(off, Math.min(bytes.length, off + CHUNK_BYTES)));
      await rows(db, sql`INSERT INTO file_blob_chunks (sha256, seq, data) VALUES (${sha256}, ${seq}, ${piece})`);
    }
  },
  async open(db, sha256) {
    const read = (from: number) =>
      rows<{ seq: number; data: Uint8Array }>(
        db,
        sql`SELECT seq, data FROM file_blob_chunks WHERE sha256 = ${sha256} AND seq >= ${from}
            ORDER BY seq LIMIT ${CHUNKS_PER_READ}`,
      );
    let pending = await read(0);
    if (pending.length === 0) throw new BlobMissingError(`blob ${sha256} has no content`);
    let next = 0;
    return new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          if (pending.length === 0) pending = await read(next);
          const batch = pending;
          pending = [];
          for (const chunk of batch) {
            if (chunk.seq !== next) {
              controller.error(new BlobMissingError(`blob ${sha256}: chunk ${next} missing`));
              return;
            }
            controller.enqueue(new Uint8Array(chunk.data));
            next++;
          }
          if (batch.length < CHUNKS_PER_READ) controller.close();
        },
      },
      { highWaterMark: 0 },
    );
  },
  async remove() {
    // The chunks go with the blob's row (ON DELETE CASCADE).
  },
};
