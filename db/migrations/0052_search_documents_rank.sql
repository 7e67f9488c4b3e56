-- Keep the heap small so the matches' rows stay in cache: the full tsvector (matched through the GIN
-- index, which needs no recheck for plain words) and the body (read only for the page of hits) move
-- out of line; ranking reads a small tsvector of the title, keywords and document numbers instead.
ALTER TABLE search_documents ADD COLUMN rank_tsv tsvector;
UPDATE search_documents SET rank_tsv = tsv;
ALTER TABLE search_documents ALTER COLUMN rank_tsv SET NOT NULL;
ALTER TABLE search_documents ALTER COLUMN tsv SET STORAGE EXTERNAL;
ALTER TABLE search_documents ALTER COLUMN body SET STORAGE EXTERNAL;
ALTER TABLE search_documents SET (toast_tuple_target = 256);
