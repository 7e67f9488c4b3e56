-- Sampled postings (search/text.ts, sampledLevels): a document at sample level L carries each of its
-- word, document-number and character-pair lexemes once more per level k = 3, 6, 9 ... up to L as
-- '#k/lexeme', without positions, so that counting and ranking from a sample read only the sample's
-- share of each word's posting list in the GIN index. Rows indexed by the new code already carry them;
-- this adds them to the rows indexed before: the documents with '#s:3' (one in eight). Every
-- lexeme not starting with '#' or '^' (the facet, sample, order and title lexemes) is a word, a
-- document number or a character pair.
UPDATE search_documents
SET tsv = tsv || array_to_tsvector(
  ARRAY(
    SELECT '#' || k || '/' || l
    FROM unnest(tsvector_to_array(tsv)) AS l,
         generate_series(3, 20, 3) AS k
    WHERE left(l, 1) NOT IN ('#', '^')
      AND tsv @@ ('''#s:' || k || '''')::tsquery
  )
)
WHERE tsv @@ '''#s:3'''::tsquery;
-- And '#r:1' (orderLexemes) on the documents whose title and keywords have at most 4 words: the class
-- ranking always reads in full.
UPDATE search_documents SET tsv = tsv || array_to_tsvector(ARRAY['#r:1']) WHERE rank_len <= 4;
