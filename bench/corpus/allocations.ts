import type { Database } from "../../db/client";

/**
 * Write `count` fund allocations in SQL, spread over every place (district, town and village level, in
 * a fixed order), 8 years (2018–2025), 4 levels and every category; amounts from `minAmount` yuan up.
 * Deterministic: the same count gives the same rows.
 */
export async function generateAllocations(database: Database, count: number, minAmount: number) {
  await database.exec(`
    CREATE TEMP TABLE bench_places AS
      SELECT row_number() OVER (ORDER BY district_id, town_id NULLS FIRST, village_id NULLS FIRST) - 1 AS i, * FROM (
        SELECT d.id AS district_id, NULL::int AS town_id, NULL::int AS village_id FROM districts d
        UNION ALL SELECT t.district_id, t.id, NULL FROM towns t
        UNION ALL SELECT t.district_id, t.id, v.id FROM villages v JOIN towns t ON t.id = v.town_id) p;
    CREATE TEMP TABLE bench_cats AS SELECT row_number() OVER (ORDER BY sort) - 1 AS i, code FROM categories;
    INSERT INTO fund_allocations (year, level, fund_name, doc_number, district_id, town_id, village_id, category_code,
        amount, purpose, published_on)
      SELECT 2018 + (g % 8),
        (ARRAY['central','provincial','city','county'])[1 + (g / 8) % 4],
        (ARRAY['中央财政专项扶贫资金','省级财政专项扶贫资金','市级财政专项扶贫资金','县级财政专项扶贫资金'])[1 + (g / 8) % 4],
        '淄财农〔' || (2018 + (g % 8)) || '〕' || (1 + g % 97) || '号',
        p.district_id, p.town_id, p.village_id, c.code,
        ((g::bigint * 7919) % 50000000) / 100.0 + ${Number(minAmount)},
        '基准测试用途 ' || (g % 1000),
        make_date(2018 + (g % 8), 1 + (g / 32) % 12, 1 + (g / 7) % 28)
      FROM generate_series(1, ${Number(count)}) g
      JOIN bench_places p ON p.i = g % (SELECT count(*) FROM bench_places)
      JOIN bench_cats c ON c.i = (g / 3) % (SELECT count(*) FROM bench_cats);
  `);
}
