-- What every match's ranking reads (title, rank_tsv) stays inline and uncompressed; only the full
-- tsvector and the body move out of line.
ALTER TABLE search_documents ALTER COLUMN rank_tsv SET STORAGE MAIN;
ALTER TABLE search_documents ALTER COLUMN title SET STORAGE MAIN;
ALTER TABLE search_documents SET (toast_tuple_target = 1024);
