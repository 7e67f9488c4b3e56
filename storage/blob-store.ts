import type { Db } from "../db/client";

// Where the bytes of a content-addressed blob live. A blob is named by the SHA-256 (hex) of its content,
// so storing content that is already there is a no-op and two nodes writing the same file agree on its
// name. The blob's row (file_blobs) and the names pointing at it (stored_files) are always in the
// database; only the bytes move between backends.

export interface BlobStore {
  readonly backend: "postgres" | "s3";
  /**
   * Store the bytes under their hash. The PostgreSQL backend writes them with `db` (the transaction that
   * inserts the blob's row, so a blob is never visible without all its bytes); the S3 backend uploads
   * them before that transaction.
   */
  put(db: Db, sha256: string, bytes: Uint8Array): Promise<void>;
  /** The blob's bytes as a stream, read piece by piece (never the whole file in memory). */
  open(db: Db, sha256: string): Promise<ReadableStream<Uint8Array>>;
  /** Remove the bytes once the blob's row is gone. A missing blob is not an error. */
  remove(sha256: string): Promise<void>;
}

export class BlobMissingError extends Error {}
