// A 项目安排公示 as the publishing console or the API receives it.

/** A complete notice for the 常家镇 poverty-relief workshop (a project arrangement notice). */
export const workshopNotice = {
  title: "关于常家镇扶贫车间项目安排的公示",
  district: "高青县",
  town: "常家镇",
  projectName: "常家镇扶贫车间",
  location: "高青县常家镇",
  content: "新建扶贫车间 1,200 平方米",
  subsidyStandard: "据实补助",
  funding: "中央财政专项扶贫资金 60 万元",
  periodText: "2026年12月至2027年6月",
  implementer: "常家镇人民政府，责任人：李红",
  performanceTarget: "吸纳 30 人就业",
  povertyMechanism: "租金收益用于分红",
  supervisionPhone: "12317",
};
