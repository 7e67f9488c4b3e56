// Routing (分派), pure: category → lead department (categories.lead_unit_code),
// place → district (属地), tier → level (I–II city, III–IV district). A ticket is never routed to the unit
// it is about; 举报 of misconduct or fund misuse (腐败和作风问题, 资金项目管理) goes to discipline
// inspection — 市纪委监委机关 or the district's 纪委监委 — regardless of the category's lead department.

export interface UnitRef {
  id: number;
  code: string;
  name: string;
  level: string;
  districtId: number | null;
}

export interface RouteInput {
  kind: string;
  categoryCode: string;
  /** The category's lead unit (city level), e.g. "city-agri". */
  leadUnitCode: string;
  /** District code of the place, e.g. "gaoqing". */
  districtCode: string;
  handlingLevel: "city" | "district";
  /** The unit the ticket is about, if known. */
  subjectUnitCode?: string | null;
}

export interface RouteResult {
  unit: UnitRef;
  supervisingUnit: UnitRef;
  supervisingLevel: "city" | "district";
  reason: string;
}

export const DISCIPLINE_CATEGORIES = new Set(["misconduct", "fund_management"]);
export const CITY_HOTLINE = "city-hotline";

/** Does this ticket go to discipline inspection? */
export function isDisciplineCase(kind: string, categoryCode: string) {
  return categoryCode === "misconduct" || (kind === "report" && DISCIPLINE_CATEGORIES.has(categoryCode));
}

export function route(input: RouteInput, units: ReadonlyMap<string, UnitRef>): RouteResult {
  const get = (code: string) => {
    const u = units.get(code);
    if (!u) throw new Error(`routing: unknown unit ${code}`);
    return u;
  };
  const subject = input.subjectUnitCode ?? null;
  const reasons: string[] = [];
  const deptKey = input.leadUnitCode.replace(/^city-/, "");
  const discipline = isDisciplineCase(input.kind, input.categoryCode);
  const key = discipline ? "discipline" : deptKey;
  if (discipline) reasons.push("举报干部作风或扶贫资金问题，转纪检监察机关");
  else reasons.push(`类别牵头部门：${get(`city-${deptKey}`).name}`);

  let level = input.handlingLevel;
  let code = level === "city" ? `city-${key}` : `${input.districtCode}-${key}`;
  reasons.push(level === "city" ? "一、二级事项由市级办理" : "三、四级事项属地办理");

  // Never to the unit the ticket is about: a district unit goes up to its city counterpart; a city unit
  // to the city poverty office, or (if that is the subject) the 12317 centre.
  if (subject && code === subject) {
    if (level === "district") {
      level = "city";
      code = `city-${key}`;
    } else {
      code = subject === "city-fpb" ? CITY_HOTLINE : "city-fpb";
    }
    reasons.push("被反映单位回避，改由上级或其他单位办理");
  }
  const unit = get(code);

  let supervisingLevel: "city" | "district" = level;
  let supervisingCode = level === "city" ? CITY_HOTLINE : `${input.districtCode}-fpb`;
  if (supervisingCode === subject || supervisingCode === code) {
    supervisingLevel = "city";
    supervisingCode = CITY_HOTLINE;
  }
  return { unit, supervisingUnit: get(supervisingCode), supervisingLevel, reason: reasons.join("；") };
}
