-- Ranking reads the tsvector of every match: keep typical rows (up to ~8 kB) uncompressed in the heap
-- instead of compressing the tsvector once a row passes 2 kB.
ALTER TABLE search_documents SET (toast_tuple_target = 8160);
