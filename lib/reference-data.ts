// Reference data built from the founding document and the city's administrative divisions. District names, the key districts,
// the deep-poverty areas and the routing table are real; village names are plausible demo names
// (marked isDemo), and town lists follow the districts' published divisions.

export type DistrictKind = "district" | "county" | "zone";
export type DeepPovertyArea = "南部山区" | "太河库区" | "黄河滩区";

export interface DistrictSeed {
  code: string;
  name: string;
  kind: DistrictKind;
  isKey: boolean;
  /** town name → deep-poverty area of its villages, if any; `key` marks 扶贫工作重点镇 */
  towns: { name: string; area?: DeepPovertyArea; key?: boolean }[];
}

export const DISTRICTS: DistrictSeed[] = [
  {
    code: "zhangdian",
    name: "张店区",
    kind: "district",
    isKey: false,
    towns: [{ name: "沣水镇" }, { name: "中埠镇" }, { name: "房镇镇" }, { name: "马尚街道" }],
  },
  {
    code: "zichuan",
    name: "淄川区",
    kind: "district",
    isKey: true,
    towns: [
      { name: "太河镇", area: "太河库区", key: true },
      { name: "寨里镇" },
      { name: "岭子镇", key: true },
      { name: "西河镇", area: "南部山区" },
      { name: "龙泉镇" },
      { name: "罗村镇" },
    ],
  },
  {
    code: "boshan",
    name: "博山区",
    kind: "district",
    isKey: true,
    towns: [
      { name: "池上镇", area: "南部山区", key: true },
      { name: "源泉镇", area: "南部山区", key: true },
      { name: "石马镇", area: "南部山区" },
      { name: "博山镇", area: "南部山区", key: true },
      { name: "八陡镇" },
      { name: "域城镇" },
    ],
  },
  {
    code: "linzi",
    name: "临淄区",
    kind: "district",
    isKey: false,
    towns: [{ name: "齐都镇" }, { name: "皇城镇" }, { name: "敬仲镇" }, { name: "朱台镇" }],
  },
  {
    code: "zhoucun",
    name: "周村区",
    kind: "district",
    isKey: false,
    towns: [{ name: "北郊镇" }, { name: "南郊镇" }, { name: "王村镇" }],
  },
  {
    code: "huantai",
    name: "桓台县",
    kind: "county",
    isKey: false,
    towns: [{ name: "果里镇" }, { name: "马桥镇" }, { name: "起凤镇" }, { name: "田庄镇" }],
  },
  {
    code: "gaoqing",
    name: "高青县",
    kind: "county",
    isKey: true,
    towns: [
      { name: "常家镇", area: "黄河滩区", key: true },
      { name: "木李镇", area: "黄河滩区", key: true },
      { name: "青城镇", area: "黄河滩区" },
      { name: "黑里寨镇", area: "黄河滩区", key: true },
      { name: "唐坊镇" },
      { name: "花沟镇" },
      { name: "高城镇" },
    ],
  },
  {
    code: "yiyuan",
    name: "沂源县",
    kind: "county",
    isKey: true,
    towns: [
      { name: "鲁村镇", area: "南部山区", key: true },
      { name: "大张庄镇", area: "南部山区" },
      { name: "燕崖镇", area: "南部山区", key: true },
      { name: "中庄镇", area: "南部山区" },
      { name: "张家坡镇", area: "南部山区", key: true },
      { name: "东里镇", area: "南部山区" },
      { name: "悦庄镇" },
      { name: "西里镇", area: "南部山区" },
    ],
  },
  {
    code: "gaoxin",
    name: "高新区",
    kind: "zone",
    isKey: false,
    towns: [{ name: "四宝山街道" }, { name: "卫固镇" }],
  },
  {
    code: "jingkai",
    name: "经济开发区",
    kind: "zone",
    isKey: false,
    towns: [{ name: "傅家镇" }, { name: "南定镇" }],
  },
  {
    code: "wenchanghu",
    name: "文昌湖省级旅游度假区",
    kind: "zone",
    isKey: false,
    towns: [{ name: "商家镇" }, { name: "萌水镇" }],
  },
];

/** Plausible village names; each town gets a deterministic selection of them. */
export const VILLAGE_NAMES = [
  "东村",
  "西村",
  "王家庄村",
  "李家庄村",
  "张家庄村",
  "刘家峪村",
  "石门村",
  "峪口村",
  "河东村",
  "河西村",
  "东岭村",
  "西岭村",
  "杨家峪村",
  "马家村",
  "孙家村",
  "赵家庄村",
  "韩家窝村",
  "苗家村",
  "耿家村",
  "桑家庄村",
  "下庄村",
  "上庄村",
  "南峪村",
  "北峪村",
  "青龙村",
  "柳沟村",
  "黄崖村",
  "朱家庄村",
  "大泉村",
  "小泉村",
];

/** Departments: the city's lead units and their district counterparts. */
export const DEPARTMENTS = [
  { key: "fpb", city: "市扶贫办", district: "扶贫办", kind: "poverty_office" },
  { key: "agri", city: "市农业局", district: "农业农村局", kind: "department" },
  { key: "hrss", city: "市人力资源社会保障局", district: "人力资源社会保障局", kind: "department" },
  { key: "health", city: "市卫生计生委", district: "卫生健康局", kind: "department" },
  { key: "edu", city: "市教育局", district: "教育局", kind: "department" },
  { key: "housing", city: "市住房城乡建设局", district: "住房城乡建设局", kind: "department" },
  { key: "civil", city: "市民政局", district: "民政局", kind: "department" },
  { key: "disabled", city: "市残联", district: "残联", kind: "department" },
  { key: "transport", city: "市交通运输局", district: "交通运输局", kind: "department" },
  { key: "water", city: "市水利局", district: "水利局", kind: "department" },
  { key: "finance", city: "市财政局", district: "财政局", kind: "department" },
  { key: "jinrong", city: "市金融办", district: "金融办", kind: "department" },
  { key: "discipline", city: "市纪委监委机关", district: "纪委监委", kind: "discipline" },
] as const;

export type DepartmentKey = (typeof DEPARTMENTS)[number]["key"];

/** The 12317 supervision and report centre: operators and city supervisors belong to it. */
export const HOTLINE_UNIT = { code: "city-hotline", name: "市12317扶贫监督举报中心" };

/** The routing table: category → lead department (first in the seed's parentheses). */
export const CATEGORIES: { code: string; name: string; lead: DepartmentKey; co: DepartmentKey[] }[] = [
  { code: "industry", name: "产业扶贫", lead: "agri", co: ["fpb"] },
  { code: "employment", name: "就业扶贫", lead: "hrss", co: ["fpb"] },
  { code: "health", name: "健康扶贫", lead: "health", co: ["hrss", "civil"] },
  { code: "education", name: "教育扶贫", lead: "edu", co: [] },
  { code: "housing", name: "危房改造", lead: "housing", co: [] },
  { code: "social_security", name: "兜底保障/低保/养老", lead: "civil", co: [] },
  { code: "disability", name: "残疾人", lead: "disabled", co: [] },
  { code: "infrastructure", name: "基础设施", lead: "housing", co: ["transport", "water"] },
  { code: "identification", name: "识别退出/建档立卡", lead: "fpb", co: [] },
  { code: "fund_management", name: "资金项目管理", lead: "fpb", co: ["finance"] },
  { code: "microfinance", name: "扶贫小额信贷/保险", lead: "jinrong", co: [] },
  { code: "misconduct", name: "腐败和作风问题", lead: "discipline", co: [] },
  { code: "other", name: "其他", lead: "fpb", co: [] },
];

export const cityUnitCode = (key: DepartmentKey) => `city-${key}`;
export const districtUnitCode = (districtCode: string, key: DepartmentKey) => `${districtCode}-${key}`;
