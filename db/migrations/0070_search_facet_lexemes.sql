-- Embedded search at 200,000 documents (issue #7). A query used to read the heap row of every match
-- (to filter by facet, count the facets and rank it), and the planner often filtered a facet index's
-- rows by `tsv @@ …`, detoasting the full tsvector of each. Now (see search/embedded.ts):
--   * the facet values are lexemes of the tsvector ('#t:notice', '#y:2018', '#d:高青县'; facetLexemes()
--     in search/text.ts), so a facet filter is one more term for the GIN index; the b-tree indexes on
--     year, district and date are no longer used;
--   * so are the title and keyword words behind a mark ('^低保'; titleLexemes()), so the same index finds
--     the matches whose title or keywords contain a query word: the only ones that get a relevance score;
--   * every column a match's row does not need for counting moves out of line once a row is toasted,
--     so the rows a scan visits are small (about 180 bytes instead of 900 for a typical document).
ALTER TABLE search_documents ALTER COLUMN title SET STORAGE EXTERNAL;
ALTER TABLE search_documents ALTER COLUMN rank_tsv SET STORAGE EXTERNAL;
ALTER TABLE search_documents ALTER COLUMN keywords SET STORAGE EXTERNAL;
ALTER TABLE search_documents SET (toast_tuple_target = 128);
DROP INDEX IF EXISTS search_documents_year_idx;
DROP INDEX IF EXISTS search_documents_district_idx;
DROP INDEX IF EXISTS search_documents_date_idx;
-- Rows indexed before this migration get their facet lexemes, and their title lexemes from rank_tsv
-- (which holds the same title and keyword words); `npm run search:reindex` adds the title's character
-- pairs and the dictionary words jieba's search mode left out (search/text.ts).
UPDATE search_documents
SET tsv = tsv
  || array_to_tsvector(array_remove(ARRAY['#t:' || doc_type, '#y:' || year::text, '#d:' || NULLIF(district, '')], NULL))
  || array_to_tsvector(ARRAY(SELECT '^' || lexeme FROM unnest(tsvector_to_array(rank_tsv)) AS lexeme));
