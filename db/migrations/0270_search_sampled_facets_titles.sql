-- Sampled postings for facets and titles (search/text.ts, hasSampledPostings): a document at sample
-- level L also carries its facet lexemes ('#t:', '#y:', '#d:') and its title lexemes ('^…') once more
-- per level k = 3, 6, 9 ... up to L as '#k/lexeme', so that a filtered count or the ranking of a
-- sample reads only the sample's share of the facet's and the title words' posting lists. Rows indexed
-- by the new code already carry them; this adds them to the rows indexed before: the documents with
-- '#s:3' (one in eight).
UPDATE search_documents
SET tsv = tsv || array_to_tsvector(
  ARRAY(
    SELECT '#' || k || '/' || l
    FROM unnest(tsvector_to_array(tsv)) AS l,
         generate_series(3, 20, 3) AS k
    WHERE (left(l, 1) = '^' OR left(l, 3) IN ('#t:', '#y:', '#d:'))
      AND tsv @@ ('''#s:' || k || '''')::tsquery
  )
)
WHERE tsv @@ '''#s:3'''::tsquery;
