-- Uploaded files (evidence, archive and honour-roll renditions) in the database, so that every app node
-- serves every file. Content-addressed: a blob is named by the SHA-256 of its bytes and stored once,
-- however many names point at it. With the PostgreSQL backend its bytes are rows of file_blob_chunks
-- (256 KiB each, read a few at a time when served); with the S3 backend they live in the bucket and
-- file_blobs only records that they exist.
CREATE TABLE file_blobs (
  sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  byte_size bigint NOT NULL CHECK (byte_size >= 0),
  backend text NOT NULL CHECK (backend IN ('postgres', 's3')),
  -- Touched again by every write of the same content, so a sweep never deletes a blob being reused.
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE file_blob_chunks (
  sha256 text NOT NULL REFERENCES file_blobs (sha256) ON DELETE CASCADE,
  seq integer NOT NULL CHECK (seq >= 0),
  data bytea NOT NULL,
  PRIMARY KEY (sha256, seq)
);
-- The content is already compressed (JPEG, WebP, PDF): store it out of line without trying again.
ALTER TABLE file_blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- Names the application uses ("evidence/…", "archive/photos/<key>/960.webp") → the blob.
CREATE TABLE stored_files (
  name text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 300),
  sha256 text NOT NULL REFERENCES file_blobs (sha256),
  content_type text NOT NULL,
  byte_size bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stored_files_sha256 ON stored_files (sha256);
CREATE INDEX stored_files_name_prefix ON stored_files (name text_pattern_ops);
