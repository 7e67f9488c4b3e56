import { describe, expect, it } from "vitest";
import {
  buildTsvector,
  facetLexemes,
  facetTsqueries,
  facetTsquery,
  parseQuery,
  SAMPLE_LEVELS,
  sampledLevels,
  segmentForIndex,
  TITLE_MARK,
  TOP_SAMPLED_LEVEL,
  titleLexemes,
  titleTsqueryAt,
  tsqueryAt,
  usableLevel,
  wordTsqueriesAt,
} from "../../search/text";

describe("search text: what the embedded index stores and asks", () => {
  it("indexes dictionary words that search mode leaves inside longer words", () => {
    const words = segmentForIndex("扶贫小额信贷贴息");
    expect(words).toContain("扶贫小额信贷");
    expect(words).toContain("小额信贷");
  });

  it("marks title and keyword words, document numbers and title character pairs", () => {
    const lexemes = titleLexemes({ title: "韩秀英事迹", keywords: ["淄发〔2016〕3号"] });
    expect(lexemes.every((l) => l.startsWith(TITLE_MARK))).toBe(true);
    expect(lexemes).toEqual(expect.arrayContaining(["^韩秀", "^秀英", "^淄发〔2016〕3号"]));
  });

  it("facet lexemes are terms no typed word can produce", () => {
    expect(facetLexemes({ type: "notice", year: 2018, district: "高青县" })).toEqual([
      "#t:notice",
      "#y:2018",
      "#d:高青县",
    ]);
    expect(facetLexemes({})).toEqual([]);
    expect(facetTsquery({ year: 2018, district: "高青县" })).toBe("'#y:2018' & '#d:高青县'");
    expect(facetTsquery({})).toBeNull();
    for (const q of ["#t:notice", "notice", "^低保", "t:notice"]) {
      const { tsquery } = parseQuery(q);
      expect(tsquery ?? "", q).not.toMatch(/'[#^]/);
    }
    const tsv = buildTsvector({ title: "公示", body: "" }, { extra: ["#t:notice"] });
    expect(tsv).toContain("'#t:notice'");
  });

  it("asks for every word, and for any or every word in the title through the marks", () => {
    const one = parseQuery("低保");
    expect(one.tsquery).toBe("'低保'");
    expect(titleTsqueryAt(one, 0, "any")).toBe("( '^低保' )");
    expect(one.allInTitle).toBe("( '^低保' )");
    // A dictionary word is its lexeme; another word of three or more characters, its lexeme or its
    // character pairs in a row.
    const two = parseQuery("高青 危房改造");
    expect(two.tsquery).toBe("'高青' & '危房改造'");
    expect(titleTsqueryAt(two, 0, "any")).toBe("( '^高青' ) | ( '^危房改造' )");
    expect(two.allInTitle).toBe("( '^高青' ) & ( '^危房改造' )");
    const unknown = parseQuery("郝峪村");
    expect(unknown.tsquery).toBe("( '郝峪村' | '郝峪' <-> '峪村' )");
    expect(unknown.allInTitle).toBe("( '^郝峪村' | ( '^郝峪' & '^峪村' ) )");
    // The same words over sample level 3's sampled postings; the phrase is checked on the positions.
    expect(tsqueryAt(two, 3)).toBe("'#3/高青' & '#3/危房改造'");
    expect(tsqueryAt(unknown, 3)).toBe("( '#3/郝峪村' | ( '#3/郝峪' & '#3/峪村' & ( '郝峪' <-> '峪村' ) ) )");
    // And the title words and facets over them.
    expect(titleTsqueryAt(two, 3, "all")).toBe("( '#3/^高青' ) & ( '#3/^危房改造' )");
    expect(titleTsqueryAt(unknown, 6, "any")).toBe("( '#6/^郝峪村' | ( '#6/^郝峪' & '#6/^峪村' ) )");
    expect(titleTsqueryAt(parseQuery("扶"), 3, "all")).toBe("( '#3/^扶':* )");
    expect(facetTsquery({ year: 2018, district: "高青县" }, 3)).toBe("'#3/#y:2018' & '#3/#d:高青县'");
    // One tsquery per word and per facet, for a condition each (search/embedded.ts).
    expect(wordTsqueriesAt(two, 3)).toEqual(["'#3/高青'", "'#3/危房改造'"]);
    expect(wordTsqueriesAt(unknown, 0)).toEqual([unknown.tsquery]);
    expect(facetTsqueries({ type: "notice", year: 2018 })).toEqual(["'#t:notice'", "'#y:2018'"]);
    expect(facetTsqueries({})).toEqual([]);
  });

  it("sampled postings exist every third level, up to the top one", () => {
    expect(sampledLevels(2)).toEqual([]);
    expect(sampledLevels(7)).toEqual([3, 6]);
    expect(sampledLevels(SAMPLE_LEVELS)).toEqual([3, 6, 9, 12, 15, 18]);
    expect(TOP_SAMPLED_LEVEL).toBe(18);
    expect([usableLevel(7, "down"), usableLevel(7, "up"), usableLevel(-2, "up"), usableLevel(40, "up")]).toEqual([
      6, 9, 0, 18,
    ]);
    const tsv = buildTsvector({ title: "低保", body: "" }, { sampleLevel: 6 });
    expect(tsv).toContain("'#3/低保'");
    expect(tsv).toContain("'#6/低保'");
    expect(tsv).not.toContain("'#9/");
  });
});
