// Tiers (分级): I 特别重大, II 重大, III 较大, IV 一般 — from the category, amounts mentioned in the text,
// the number of people affected and the subject's rank. Pure; a supervisor may override with a reason
// (lifecycle action "retier"). Tier I–II are handled at city level, III–IV at district level.

export type Tier = "I" | "II" | "III" | "IV";
export const TIER_LABELS: Record<Tier, string> = { I: "特别重大", II: "重大", III: "较大", IV: "一般" };
export const TIER_ORDER: Tier[] = ["I", "II", "III", "IV"];

export interface TierInput {
  kind: string;
  categoryCode: string;
  title: string;
  description: string;
  subjectPost?: string | null;
  subjectUnitLevel?: "city" | "district" | "town" | null;
}

export interface TierResult {
  tier: Tier;
  handlingLevel: "city" | "district";
  /** Largest amount mentioned, in yuan (integer), or null. */
  amountYuan: number | null;
  peopleAffected: number | null;
  reason: string;
}

const CN_DIGITS: Record<string, number> = {
  零: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

/** A number written with Arabic digits (commas allowed) or simple Chinese numerals (三十, 两百, 一千五百). */
function parseNumber(s: string): number | null {
  const arabic = s.replace(/[,，]/g, "");
  if (/^\d+(\.\d+)?$/.test(arabic)) return Number(arabic);
  let total = 0;
  let current = 0;
  let seen = false;
  for (const ch of s) {
    if (ch in CN_DIGITS) {
      current = CN_DIGITS[ch];
      seen = true;
    } else if (ch === "十") {
      total += (current || 1) * 10;
      current = 0;
      seen = true;
    } else if (ch === "百") {
      total += current * 100;
      current = 0;
    } else if (ch === "千") {
      total += current * 1000;
      current = 0;
    } else return null;
  }
  return seen ? total + current : null;
}

const NUM = "(\\d[\\d,，]*(?:\\.\\d+)?|[零一二两三四五六七八九十百千]+)";

/** The largest amount of money mentioned (元, 万元, 亿元), in yuan. */
export function amountsMentioned(text: string): number | null {
  let max: number | null = null;
  for (const m of text.matchAll(new RegExp(`${NUM}\\s*(亿|万)?\\s*(元|块)`, "g"))) {
    const n = parseNumber(m[1]);
    if (n === null) continue;
    const yuan = Math.round(n * (m[2] === "亿" ? 1e8 : m[2] === "万" ? 1e4 : 1));
    if (max === null || yuan > max) max = yuan;
  }
  return max;
}

/** The largest number of people (人, 名, 位) or households (户, counted as 3 people each) mentioned. */
export function peopleMentioned(text: string): number | null {
  let max: number | null = null;
  for (const m of text.matchAll(new RegExp(`${NUM}\\s*(多|余)?\\s*(人|名|位|户|家)`, "g"))) {
    const n = parseNumber(m[1]);
    if (n === null) continue;
    const people = m[3] === "户" || m[3] === "家" ? n * 3 : n;
    if (max === null || people > max) max = people;
  }
  return max;
}

/** Rank of the subject from the post named: city leadership, county/district leadership, town leadership. */
export function subjectRank(
  post: string | null | undefined,
  unitLevel?: string | null,
): "city" | "district" | "town" | null {
  const p = post ?? "";
  if (/市长|市委|副市长|市级/.test(p)) return "city";
  if (/县长|区长|县委|区委|局长|县级|处级/.test(p)) return "district";
  if (/镇长|乡长|镇党委|乡党委|街道|主任|书记|站长|所长/.test(p)) return "town";
  // A unit's level says little about the person in it; a city department as subject is handled as
  // tier II (city level) at least, so the city unit is never judged below its own level.
  if (unitLevel === "city") return "district";
  return null;
}

const MISCONDUCT = new Set(["misconduct", "fund_management"]);

export function assessTier(input: TierInput): TierResult {
  const text = `${input.title}\n${input.description}`;
  const amountYuan = amountsMentioned(text);
  const peopleAffected = peopleMentioned(text);
  const rank = subjectRank(input.subjectPost, input.subjectUnitLevel);
  const reasons: string[] = [];
  let tier = "IV" as Tier;
  const raise = (t: Tier, why: string) => {
    if (TIER_ORDER.indexOf(t) < TIER_ORDER.indexOf(tier)) tier = t;
    reasons.push(why);
  };
  const serious = input.kind === "report" || input.kind === "complaint" || input.kind === "objection";
  if (serious) {
    if (amountYuan !== null) {
      if (amountYuan >= 1_000_000) raise("I", `涉及金额 ${amountYuan} 元（≥100万元）`);
      else if (amountYuan >= 200_000) raise("II", `涉及金额 ${amountYuan} 元（≥20万元）`);
      else if (amountYuan >= 20_000) raise("III", `涉及金额 ${amountYuan} 元（≥2万元）`);
    }
    if (peopleAffected !== null) {
      if (peopleAffected >= 100) raise("I", `涉及约 ${peopleAffected} 人（≥100人）`);
      else if (peopleAffected >= 30) raise("II", `涉及约 ${peopleAffected} 人（≥30人）`);
      else if (peopleAffected >= 10) raise("III", `涉及约 ${peopleAffected} 人（≥10人）`);
    }
    if (rank === "city") raise("I", "被反映人为市级领导干部");
    else if (rank === "district") raise("II", "被反映人为县（区）级领导干部或部门负责人");
    if (input.kind === "report" && MISCONDUCT.has(input.categoryCode)) {
      raise("III", "举报干部作风或扶贫资金问题");
    }
  }
  if (reasons.length === 0) reasons.push(serious ? "一般事项" : "意见建议、咨询类事项");
  return {
    tier,
    handlingLevel: tier === "I" || tier === "II" ? "city" : "district",
    amountYuan,
    peopleAffected,
    reason: reasons.join("；"),
  };
}
