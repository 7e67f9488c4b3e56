// Parser for the "structured" policy format: the founding document's cleaned text
// (domain/policies/zibo-2018-poverty-action-plan.txt). Pure: no database.

export interface UnitRef {
  name: string;
  /** The lead unit: first listed (the document's own note), or every unit when "分别牵头". */
  lead: boolean;
  /** A territorial scope (各区县, 相关区县, 高青县…) rather than a department. */
  scope: boolean;
}

export interface MeasureParagraph {
  /** Paragraph text without the trailing unit parentheses. */
  text: string;
  /** The raw parenthetical, e.g. "市扶贫办，各区县" (null when the paragraph names no units). */
  unitsText: string | null;
  units: UnitRef[];
  /** 分别牵头: each listed department leads its part. */
  separately: boolean;
}

export interface Measure {
  number: number;
  /** m1 … m26 */
  anchor: string;
  /** The measure's heading: the text up to its first "。", e.g. "指导思想". */
  title: string;
  section: string;
  paragraphs: MeasureParagraph[];
}

export interface StructuredDocument {
  title: string;
  dateLine: string | null;
  preamble: string[];
  sections: { heading: string; measures: Measure[] }[];
  closing: string[];
}

const SCOPE = /^(各区县|相关区县|.+[区县])$/;

/** Split a paragraph's trailing "（…）" into units; returns null when there is none. */
export function parseUnits(
  paragraph: string,
): { text: string; unitsText: string; units: UnitRef[]; separately: boolean } | null {
  const m = /^(.*)（([^（）]*)）$/su.exec(paragraph);
  if (!m) return null;
  let inner = m[2].trim();
  // The first paragraph explains the convention inline; it is not a unit.
  inner = inner.replace(/，?以下简称各区县。?列在首位的为牵头单位，?下同/u, "");
  const separately = inner.includes("分别牵头");
  const names = inner
    .replace(/分别牵头/gu, "")
    .split(/[，、]/u)
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) return null;
  // A parenthetical must look like a list of units (e.g. not "（含门诊慢性病）" inside the text).
  if (
    !names.every((n) =>
      /(市|区|县|局|办|委|会|行|社|联|部|司|处|组|单位|机关|公司|中心|支行|分局|团市委|协会)/u.test(n),
    )
  ) {
    return null;
  }
  // "各区县、高新区、经济开发区、文昌湖…" in the first measure is one scope ("各区县").
  const collapsed: string[] = [];
  for (const n of names) {
    if (collapsed.includes("各区县") && /^(高新区|经济开发区|文昌湖省级旅游度假区)$/u.test(n)) continue;
    collapsed.push(n);
  }
  const units = collapsed.map((name) => {
    const scope = SCOPE.test(name) && !/^市/.test(name);
    return { name, scope, lead: false };
  });
  const departments = units.filter((u) => !u.scope);
  if (separately) for (const u of departments) u.lead = true;
  else if (departments.length > 0) departments[0].lead = true;
  else units[0].lead = true;
  return { text: m[1].trim(), unitsText: collapsed.join("、"), units, separately };
}

function paragraph(text: string): MeasureParagraph {
  const parsed = parseUnits(text);
  if (!parsed) return { text, unitsText: null, units: [], separately: false };
  return { text: parsed.text, unitsText: parsed.unitsText, units: parsed.units, separately: parsed.separately };
}

/** Parse the structured format into sections, measures and their units. */
export function parseStructured(source: string): StructuredDocument {
  const text = source.replace(/<!--[\s\S]*?-->/g, "");
  const doc: StructuredDocument = { title: "", dateLine: null, preamble: [], sections: [], closing: [] };
  let measure: Measure | null = null;
  let inClosing = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith("# ")) {
      doc.title = line.slice(2).trim();
    } else if (line.startsWith("> ")) {
      doc.dateLine = line.slice(2).trim();
    } else if (line.startsWith("## ")) {
      doc.sections.push({ heading: line.slice(3).trim(), measures: [] });
      measure = null;
    } else if (line === "---") {
      inClosing = true;
      measure = null;
    } else if (inClosing) {
      doc.closing.push(line);
    } else {
      const m = /^(\d+)\.(?!\d)(.*)$/u.exec(line);
      const section = doc.sections.at(-1);
      if (m && section) {
        const number = Number(m[1]);
        const rest = m[2].trim();
        const stop = rest.indexOf("。");
        const title = stop > 0 && stop <= 40 ? rest.slice(0, stop) : rest.slice(0, 20);
        const first = stop > 0 && stop <= 40 ? rest.slice(stop + 1).trim() : rest;
        measure = { number, anchor: `m${number}`, title, section: section.heading, paragraphs: [] };
        if (first) measure.paragraphs.push(paragraph(first));
        section.measures.push(measure);
      } else if (measure) {
        measure.paragraphs.push(paragraph(line));
      } else {
        doc.preamble.push(line);
      }
    }
  }
  return doc;
}

export function allMeasures(doc: StructuredDocument): Measure[] {
  return doc.sections.flatMap((s) => s.measures);
}

/** Every department that leads at least one paragraph, with the measures it leads (in order). */
export function leadUnitIndex(
  doc: StructuredDocument,
): { unit: string; measures: { number: number; anchor: string; title: string }[] }[] {
  const index = new Map<string, Map<number, { number: number; anchor: string; title: string }>>();
  for (const m of allMeasures(doc)) {
    for (const p of m.paragraphs) {
      for (const u of p.units) {
        if (!u.lead) continue;
        let entry = index.get(u.name);
        if (!entry) index.set(u.name, (entry = new Map()));
        entry.set(m.number, { number: m.number, anchor: m.anchor, title: m.title });
      }
    }
  }
  return [...index.entries()]
    .map(([unit, ms]) => ({ unit, measures: [...ms.values()].sort((a, b) => a.number - b.number) }))
    .sort((a, b) => b.measures.length - a.measures.length || a.unit.localeCompare(b.unit, "zh-CN"));
}

/** Plain text of the whole document (search). */
export function structuredPlainText(doc: StructuredDocument): string {
  const parts = [...doc.preamble];
  for (const s of doc.sections) {
    parts.push(s.heading);
    for (const m of s.measures) {
      parts.push(`${m.number}.${m.title}`);
      for (const p of m.paragraphs) parts.push(p.unitsText ? `${p.text}（${p.unitsText}）` : p.text);
    }
  }
  parts.push(...doc.closing);
  return parts.join("\n");
}
