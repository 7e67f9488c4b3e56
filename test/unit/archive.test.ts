import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkImage } from "../../domain/archive/images";
import { parseSubmission } from "../../domain/archive/items";
import {
  allMeasures,
  leadUnitIndex,
  parseStructured,
  parseUnits,
  structuredPlainText,
} from "../../domain/policies/founding";
import { markdownToText, renderMarkdown } from "../../domain/policies/markdown";

const doc = parseStructured(readFileSync("domain/policies/zibo-2018-poverty-action-plan.txt", "utf8"));

describe("founding document structure", () => {
  it("has three sections and measures 1–26 in order, with titles", () => {
    expect(doc.sections.map((s) => [s.heading, s.measures.length])).toEqual([
      ["一、总体要求", 3],
      ["二、重点任务措施", 15],
      ["三、加强对脱贫攻坚工作的领导", 8],
    ]);
    const measures = allMeasures(doc);
    expect(measures.map((m) => m.number)).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));
    expect(measures[25]).toMatchObject({ anchor: "m26", title: "建立淄博脱贫攻坚档案" });
    expect(doc.dateLine).toBe("（2018年10月29日）");
    expect(doc.closing[0]).toContain("自2018年10月29日起施行");
  });

  it("marks the first listed unit as lead, every department where 分别牵头, and scopes", () => {
    expect(parseUnits("正文。（市教育局，各区县）")?.units).toEqual([
      { name: "市教育局", lead: true, scope: false },
      { name: "各区县", lead: false, scope: true },
    ]);
    const separately = parseUnits("正文。（市财政局、市扶贫办、市国土资源局分别牵头，相关区县）")!;
    expect(separately.separately).toBe(true);
    expect(separately.units.filter((u) => u.lead).map((u) => u.name)).toEqual(["市财政局", "市扶贫办", "市国土资源局"]);
    // The convention note in measure 4 is not a unit.
    const m4 = allMeasures(doc)[3].paragraphs[0];
    expect(m4.units.map((u) => u.name)).toEqual(["市扶贫办", "各区县"]);
    // A parenthesis inside the text is not a unit list.
    expect(parseUnits("购买扶贫特惠保险（含门诊慢性病）")).toBeNull();
  });

  it("indexes measures by lead unit", () => {
    const index = leadUnitIndex(doc);
    const housing = index.find((l) => l.unit === "市住房城乡建设局");
    expect(housing?.measures.map((m) => m.number)).toEqual([10]);
    expect(index[0].unit).toBe("市扶贫办");
  });

  it("carries the repairs of extraction damage", () => {
    const text = structuredPlainText(doc);
    expect(text).toContain("鲁发〔2018〕37号");
    expect(text).toContain("淄发〔2016〕3号");
    expect(text).toContain("98%。2018年");
    expect(text).not.toMatch(/[,()]/);
  });
});

describe("markdown rendering", () => {
  it("removes scripts, handlers, javascript: links and images", () => {
    const html = renderMarkdown(
      '# 标题\n\n<script>alert(1)</script>\n\n<p onclick="x()">段落</p> [a](javascript:alert(1)) <img src=x onerror=alert(1)> <iframe src="https://x"></iframe>',
    );
    expect(html).toContain("<h2>标题</h2>");
    expect(html).not.toMatch(/<script|alert\(1\)<|onclick|onerror|href="javascript|<img|<iframe/i);
    expect(markdownToText("**粗体** 与 <b>x</b>")).toBe("粗体 与 x");
  });
});

describe("photo submissions", () => {
  it("takes images only: a PDF is refused by its bytes, whatever its name", () => {
    expect(checkImage(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]))).toBe("image/jpeg");
    expect(() => checkImage(new TextEncoder().encode("%PDF-1.4\n"))).toThrow(
      expect.objectContaining({ code: "UNSUPPORTED_MEDIA_TYPE" }),
    );
  });

  it("needs consent, a title, a place and a credit; dates not in the future", () => {
    const r = parseSubmission({ title: "", place: " ", creator: "", takenOn: "2999-01-01" });
    expect("errors" in r && r.errors).toMatchObject({
      title: "请填写照片标题",
      consent: expect.stringContaining("同意公开"),
      takenOn: "拍摄日期不能晚于今天",
    });
    const ok = parseSubmission({ title: "t", place: "p", creator: "c", consent: "on", district: "" });
    expect("data" in ok && ok.data).toMatchObject({ title: "t", consent: true, district: undefined });
  });
});
