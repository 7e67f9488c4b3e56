import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { csvDocument, csvLine, csvRows } from "../../lib/csv";
import { escapeXml } from "../../lib/xml";

describe("the one CSV writer", () => {
  it("quotes delimiters, quotes and line breaks, and round-trips through a CSV parser", () => {
    const rows = [
      ["a,b", 'say "hi"', "line1\nline2", "cr\rhere", "普通", 12, null],
      ["", "x", "y", "z", " lead", "", undefined],
    ];
    const text = csvRows(rows);
    expect(text.endsWith("\r\n")).toBe(true);
    expect(parse(text, { relax_column_count: true })).toEqual([
      ["a,b", 'say "hi"', "line1\nline2", "cr\rhere", "普通", "12", ""],
      ["", "x", "y", "z", " lead", "", ""],
    ]);
  });

  it("neutralises cells a spreadsheet would run as a formula", () => {
    const line = csvLine(['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tTAB", "\rCR", "ok"]);
    const [cells] = parse(line) as string[][];
    expect(cells).toEqual(['\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)", "'\tTAB", "'\rCR", "ok"]);
  });

  it("a document starts with a UTF-8 BOM and keeps empty separator rows", () => {
    const doc = csvDocument([["分组", "项目"], [], ["说明", "x"]]);
    expect(doc.startsWith("\uFEFF分组,项目\r\n\r\n说明,x\r\n")).toBe(true);
  });
});

describe("the one XML escaper", () => {
  it("escapes markup characters and drops characters XML 1.0 cannot carry", () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;");
    expect(escapeXml("a\u0000b\u0001c\u0008d\u000be\u000cf\u001fg\ufffeh\uffffi")).toBe("abcdefghi");
    expect(escapeXml("tab\tnl\ncr\r")).toBe("tab\tnl\ncr\r");
    expect(escapeXml("lone\ud800high lone\udc00low pair\ud83d\ude00")).toBe("lonehigh lonelow pair\ud83d\ude00");
  });
});
