-- The facet columns every match's row gives (type, district) stay in the row: with toast_tuple_target
-- at 128 (migration 0070), a district name of ten Chinese characters (31 bytes) was moved out of line,
-- and counting the facets then read the TOAST table once per match.
ALTER TABLE search_documents ALTER COLUMN district SET STORAGE MAIN;
ALTER TABLE search_documents ALTER COLUMN doc_type SET STORAGE MAIN;
ALTER TABLE search_documents ALTER COLUMN doc_id SET STORAGE MAIN;
UPDATE search_documents SET district = district || '' WHERE octet_length(district) > 20;
