-- How many title and keyword lexemes a document has (ts_rank divides by the log of it): when more
-- documents match a query in their title or keywords than get a relevance score, the shortest (then the
-- newest) are scored (search/embedded.ts). Kept inline with the row; generated, so never out of step.
ALTER TABLE search_documents ADD COLUMN rank_len integer GENERATED ALWAYS AS (length(rank_tsv)) STORED;
