import type { FundLevel, ProjectStage } from "../../db/schema";

export const FUND_LEVEL_LABELS: Record<FundLevel, string> = {
  central: "中央",
  provincial: "省级",
  city: "市级",
  county: "县级",
};

/** What a person may type for a level (资金级次), mapped to the stored code. */
const LEVEL_ALIASES: Record<string, FundLevel> = {
  central: "central",
  中央: "central",
  中央级: "central",
  中央财政: "central",
  provincial: "provincial",
  省: "provincial",
  省级: "provincial",
  省财政: "provincial",
  city: "city",
  市: "city",
  市级: "city",
  市财政: "city",
  county: "county",
  县: "county",
  县级: "county",
  区县: "county",
  区县级: "county",
  县区: "county",
};

export function parseLevel(input: string): FundLevel | null {
  return LEVEL_ALIASES[input.trim()] ?? null;
}

export const PROJECT_STAGE_LABELS: Record<ProjectStage, string> = {
  reserve: "项目储备",
  approved: "遴选立项",
  implementing: "组织实施",
  accepted: "竣工验收",
  maintenance: "建后管护",
  distribution: "收益分配",
};

export const MIN_YEAR = 2014;
export const MAX_YEAR = 2035;
