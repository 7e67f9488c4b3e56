-- Embedded search index (used when MEILISEARCH_URL is unset): one row per public document, written
-- in the same transaction as the content it indexes. tsv holds jieba's words (weights A title,
-- B keywords/document numbers, C body) and adjacent-character pairs (weight D), built by search/text.ts.
CREATE TABLE search_documents (
  doc_type text NOT NULL,
  doc_id text NOT NULL,
  title text NOT NULL,
  body text NOT NULL DEFAULT '',
  keywords text[] NOT NULL DEFAULT '{}',
  url text NOT NULL,
  date date,
  year integer,
  district text,
  tsv tsvector NOT NULL,
  indexed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (doc_type, doc_id)
);
CREATE INDEX search_documents_tsv_idx ON search_documents USING gin (tsv);
CREATE INDEX search_documents_year_idx ON search_documents (year);
CREATE INDEX search_documents_district_idx ON search_documents (district);
CREATE INDEX search_documents_date_idx ON search_documents (date DESC NULLS LAST);
