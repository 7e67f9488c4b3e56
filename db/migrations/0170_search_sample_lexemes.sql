-- Search work bounded by a constant, not by the number of matches (search/embedded.ts, search/text.ts).
-- Three more kinds of lexeme in every document's tsvector, answered by the same GIN index:
--   * sample levels '#s:1' … '#s:j': j = the number of trailing zero bits (at most 20) of the first
--     32 bits of md5(doc_type || ':' || doc_id), so level j is a uniform sample of about one document in
--     2^j; totals and facet counts past the exact threshold are estimated from the smallest level holding
--     enough of a query's matches (sampleLevel() in search/text.ts computes the same);
--   * '#r:0' when the title and keywords have at most 12 words (rank_len <= SHORT_RANK_LEN): such
--     matches are always considered for ranking, even when the rest are sampled;
--   * '#m:YYYY-MM' (or '#m:none'): the month of the document's date, so "newest first" reads the
--     matches a month at a time.
-- Rows indexed by the new code already carry them; this adds them to the rows indexed before.
UPDATE search_documents
SET tsv = tsv || array_to_tsvector(
  ARRAY(
    SELECT '#s:' || k
    FROM generate_series(1, 20) AS k
    WHERE (('x' || substr(md5(doc_type || ':' || doc_id), 1, 8))::bit(32)::bigint) % (1::bigint << k) = 0
  )
  || ARRAY['#m:' || coalesce(to_char(date, 'YYYY-MM'), 'none')]
  || CASE WHEN rank_len <= 12 THEN ARRAY['#r:0'] ELSE ARRAY[]::text[] END
);
