import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { SearchDocument, SearchType } from "../../search/contract";
import { embeddedBackend } from "../../search/embedded";
import { search } from "../../search/engine";
import { testDatabase } from "../support/db";

// Relevance test set: real-world queries a Zibo resident or journalist would type, each with the
// documents it must find in its top 5. The corpus is built here (shaped like the real sources'
// documents), so the test does not depend on demo data. Every query must pass; the pass share is
// printed, and with SEARCH_RELEVANCE_REPORT=1 each query's precision at 5 and top 5.

type D = Omit<SearchDocument, "url" | "year" | "body"> & { body?: string };
const d = (x: D): SearchDocument => ({
  body: "",
  ...x,
  url: `/${x.type}/${x.id}`,
  year: x.date ? Number(x.date.slice(0, 4)) : null,
});

const CORPUS: SearchDocument[] = [
  // Policies (document numbers)
  d({
    type: "policy",
    id: "zf-2016-3",
    title: "中共淄博市委 淄博市人民政府关于坚决打赢脱贫攻坚战的实施意见",
    body: "为深入贯彻落实中央和省委扶贫开发工作会议精神，确保到2018年基本完成脱贫任务，提出如下实施意见。",
    keywords: ["淄发〔2016〕3号", "中共淄博市委"],
    date: "2016-03-10",
    district: null,
  }),
  d({
    type: "policy",
    id: "action-plan",
    title: "淄博市打赢脱贫攻坚战三年行动的实施意见",
    body: "全面落实精准扶贫精准脱贫基本方略。扶贫资金分配结果一律公开，乡村两级扶贫项目安排和资金使用情况一律公告公示。开通12317扶贫监督举报电话。编纂脱贫攻坚年鉴，开展“我眼中的脱贫攻坚”影像征集，评选群英谱。",
    keywords: ["淄发〔2018〕18号"],
    date: "2018-10-29",
    district: null,
  }),
  d({
    type: "policy",
    id: "czn-2018-12",
    title: "关于下达2018年中央财政专项扶贫资金的通知",
    body: "各区县财政局、扶贫办：根据省财政厅通知，现将2018年中央财政专项扶贫资金下达给你们。",
    keywords: ["淄财农〔2018〕12号", "市财政局"],
    date: "2018-04-20",
    district: null,
  }),
  d({
    type: "policy",
    id: "dibao-2017",
    title: "关于提高城乡低保标准的通知",
    body: "自2017年7月1日起，农村低保标准提高到每人每年4000元，兜底保障贫困人口基本生活。",
    keywords: ["淄民发〔2017〕21号", "市民政局"],
    date: "2017-06-15",
    district: null,
  }),
  d({
    type: "policy",
    id: "xindai-2017",
    title: "扶贫小额信贷管理办法",
    body: "对建档立卡贫困户发放5万元以下、3年以内、免担保免抵押的扶贫小额信贷，财政贴息。",
    keywords: ["淄金办发〔2017〕9号", "市金融办"],
    date: "2017-09-01",
    district: null,
  }),
  d({
    type: "policy",
    id: "tanqu-2017",
    title: "黄河滩区居民迁建规划实施方案",
    body: "高青县黄河滩区17个村1443户5260人实施外迁安置和就地筑村台。",
    keywords: ["鲁政字〔2017〕168号"],
    date: "2017-08-30",
    district: "高青县",
  }),
  // Allocations
  d({
    type: "allocation",
    id: "a1",
    title: "2018年中央财政专项扶贫资金（高青县）",
    body: "资金来源：中央。用途：黄河滩区产业扶贫项目。金额 3200000.00 元。",
    keywords: ["淄财农〔2018〕12号", "中央", "产业扶贫"],
    date: "2018-04-25",
    district: "高青县",
  }),
  d({
    type: "allocation",
    id: "a2",
    title: "2018年中央财政专项扶贫资金（沂源县）",
    body: "资金来源：中央。用途：南部山区基础设施建设。",
    keywords: ["淄财农〔2018〕12号", "中央", "基础设施"],
    date: "2018-04-25",
    district: "沂源县",
  }),
  d({
    type: "allocation",
    id: "a3",
    title: "2017年市级农村危房改造补助资金（博山区）",
    body: "资金来源：市。用途：池上镇、源泉镇危房改造 120 户。",
    keywords: ["淄财建〔2017〕33号", "危房改造"],
    date: "2017-05-12",
    district: "博山区",
  }),
  d({
    type: "allocation",
    id: "a4",
    title: "2018年省级财政扶贫资金（淄川区太河镇）",
    body: "用途：太河库区扶贫车间建设。",
    keywords: ["鲁财农〔2018〕5号", "产业扶贫"],
    date: "2018-03-02",
    district: "淄川区",
  }),
  d({
    type: "allocation",
    id: "a5",
    title: "2018年县级低保资金（高青县）",
    body: "资金来源：县。用途：农村低保、特困人员救助供养。",
    keywords: ["兜底保障/低保/养老"],
    date: "2018-02-10",
    district: "高青县",
  }),
  d({
    type: "allocation",
    id: "a6",
    title: "2018年扶贫小额信贷贴息资金（沂源县）",
    body: "用途：建档立卡贫困户小额信贷贴息。",
    keywords: ["扶贫小额信贷/保险"],
    date: "2018-06-30",
    district: "沂源县",
  }),
  d({
    type: "allocation",
    id: "a7",
    title: "2018年教育扶贫助学资金（淄川区）",
    body: "用途：建档立卡贫困家庭学生资助。",
    keywords: ["教育扶贫"],
    date: "2018-09-01",
    district: "淄川区",
  }),
  d({
    type: "allocation",
    id: "a8",
    title: "2017年健康扶贫医疗救助资金（博山区）",
    body: "用途：贫困人口大病保险、医疗救助“一站式”结算。",
    keywords: ["健康扶贫"],
    date: "2017-11-20",
    district: "博山区",
  }),
  // Projects
  d({
    type: "project",
    id: "p1",
    title: "高青县常家镇黄河滩区村台建设项目",
    body: "建设内容：筑村台、配套道路及供水。实施单位：常家镇人民政府。",
    keywords: ["基础设施", "黄河滩区"],
    date: "2018-05-01",
    district: "高青县",
  }),
  d({
    type: "project",
    id: "p2",
    title: "沂源县南鲁山镇光伏扶贫电站项目",
    body: "建设 300 千瓦村级光伏电站，收益用于贫困户分红。",
    keywords: ["产业扶贫", "光伏扶贫"],
    date: "2018-04-10",
    district: "沂源县",
  }),
  d({
    type: "project",
    id: "p3",
    title: "博山区池上镇中郝峪村乡村旅游扶贫项目",
    body: "发展乡村旅游，带动贫困户就业增收，资产收益分配到户。",
    keywords: ["产业扶贫", "南部山区"],
    date: "2017-06-01",
    district: "博山区",
  }),
  d({
    type: "project",
    id: "p4",
    title: "淄川区太河镇扶贫车间项目",
    body: "在太河库区建设扶贫车间，吸纳贫困劳动力就业。",
    keywords: ["就业扶贫"],
    date: "2018-07-15",
    district: "淄川区",
  }),
  d({
    type: "project",
    id: "p5",
    title: "周村区王村镇农村公路提升工程",
    body: "改造村内道路 3.2 公里。",
    keywords: ["基础设施"],
    date: "2018-08-01",
    district: "周村区",
  }),
  // Notices
  d({
    type: "notice",
    id: "n1",
    title: "高青县常家镇2018年农村危房改造补助资金公示",
    body: "项目名称：农村危房改造。实施地点：常家镇。补助标准：每户 2 万元。监督电话：12317。",
    keywords: ["危房改造"],
    date: "2018-06-05",
    district: "高青县",
  }),
  d({
    type: "notice",
    id: "n2",
    title: "沂源县2018年度扶贫项目资金使用情况公告",
    body: "对2018年度各镇办扶贫项目资金使用情况予以公告，接受群众监督。",
    keywords: ["资金项目管理"],
    date: "2018-12-20",
    district: "沂源县",
  }),
  d({
    type: "notice",
    id: "n3",
    title: "博山区源泉镇东流泉村扶贫项目公示",
    body: "建设内容：村内道路硬化和饮水安全工程。带贫减贫机制：吸纳贫困户务工。",
    keywords: ["基础设施"],
    date: "2018-05-20",
    district: "博山区",
  }),
  d({
    type: "notice",
    id: "n4",
    title: "淄川区2018年低保对象名单公示",
    body: "经村评议、镇审核、区审批，现将新增农村低保对象予以公示，公示期 10 天。",
    keywords: ["兜底保障/低保/养老"],
    date: "2018-03-15",
    district: "淄川区",
  }),
  d({
    type: "notice",
    id: "n5",
    title: "桓台县起凤镇扶贫小额信贷发放情况公示",
    body: "向建档立卡贫困户发放扶贫小额信贷 12 户。",
    keywords: ["扶贫小额信贷/保险"],
    date: "2018-09-10",
    district: "桓台县",
  }),
  d({
    type: "notice",
    id: "n6",
    title: "临淄区皇城镇2018年建档立卡贫困户动态调整公示",
    body: "识别退出：新识别贫困户 3 户，稳定脱贫退出 15 户。",
    keywords: ["识别退出/建档立卡"],
    date: "2018-11-02",
    district: "临淄区",
  }),
  // Yearbook and photos
  d({
    type: "yearbook",
    id: "y2018",
    title: "淄博脱贫攻坚年鉴（2018）",
    body: "2018年全市脱贫攻坚工作综述：黄河滩区迁建、南部山区脱贫、太河库区扶贫开发。",
    keywords: ["年鉴"],
    date: "2019-03-01",
    district: null,
  }),
  d({
    type: "yearbook",
    id: "y2017-boshan",
    title: "2017年博山区脱贫攻坚大事记",
    body: "博山区池上镇、源泉镇、石马镇等南部山区镇扶贫工作纪实。",
    keywords: ["年鉴", "大事记"],
    date: "2018-02-01",
    district: "博山区",
  }),
  d({
    type: "photo",
    id: "ph1",
    title: "我眼中的脱贫攻坚：黄河滩区新村台",
    body: "高青县常家镇新建村台上的安置房。摄影：刘某。",
    keywords: ["我眼中的脱贫攻坚", "影像"],
    date: "2019-06-01",
    district: "高青县",
  }),
  d({
    type: "photo",
    id: "ph2",
    title: "我眼中的脱贫攻坚：池上镇的樱桃丰收",
    body: "博山区池上镇贫困户采摘樱桃。",
    keywords: ["我眼中的脱贫攻坚", "影像"],
    date: "2018-06-10",
    district: "博山区",
  }),
  // Honour roll (群英谱)
  d({
    type: "honor",
    id: "h1",
    title: "韩秀英（2018年度先进个人）",
    body: "沂源县中庄镇扶贫办主任\n扎根山区十余年，带领群众发展果品产业脱贫。",
    keywords: ["韩秀英", "沂源县中庄镇扶贫办", "先进个人"],
    date: null,
    district: "沂源县",
  }),
  d({
    type: "honor",
    id: "h2",
    title: "高青县常家镇人民政府（2018年度先进集体）",
    body: "高青县常家镇人民政府\n圆满完成黄河滩区居民迁建任务。",
    keywords: ["高青县常家镇人民政府", "先进集体"],
    date: null,
    district: "高青县",
  }),
  d({
    type: "honor",
    id: "h3",
    title: "孙立军（2017年度先进个人）",
    body: "淄川区太河镇第一书记\n驻村帮扶，发展扶贫车间。",
    keywords: ["孙立军", "第一书记", "先进个人"],
    date: null,
    district: "淄川区",
  }),
  d({
    type: "honor",
    id: "h4",
    title: "博山区池上镇中郝峪村（2018年度先进集体）",
    body: "博山区池上镇中郝峪村\n乡村旅游带动全村脱贫。",
    keywords: ["中郝峪村", "先进集体"],
    date: null,
    district: "博山区",
  }),
];

// Distractors: many ordinary documents that share the common words (扶贫, 资金, 项目, 公示, places),
// so a query must rank, not merely match.
const TOWNS: [string, string][] = [
  ["高青县", "木李镇"],
  ["高青县", "花沟镇"],
  ["沂源县", "中庄镇"],
  ["沂源县", "燕崖镇"],
  ["淄川区", "寨里镇"],
  ["博山区", "石马镇"],
  ["临淄区", "齐都镇"],
  ["桓台县", "马桥镇"],
];
for (const [i, [district, town]] of TOWNS.entries()) {
  for (const year of [2017, 2018]) {
    CORPUS.push(
      d({
        type: "notice",
        id: `x-${i}-${year}`,
        title: `${district}${town}${year}年扶贫项目资金公示`,
        body: `${town}${year}年度扶贫项目资金安排情况，含产业、基础设施、最低保障线以上的帮扶措施，接受群众监督。`,
        keywords: ["资金项目管理"],
        date: `${year}-0${(i % 9) + 1}-15`,
        district,
      }),
      d({
        type: "allocation",
        id: `y-${i}-${year}`,
        title: `${year}年市级财政扶贫资金（${district}${town}）`,
        body: `资金来源：市。用途：${town}产业发展和公益岗位。`,
        keywords: ["市"],
        date: `${year}-0${(i % 9) + 1}-20`,
        district,
      }),
    );
  }
}

/** Query → documents (type:id) that must all be in its top 5; `filters` narrow the query like facets. */
const CASES: {
  q: string;
  expect: string[];
  filters?: { type?: SearchType; year?: number; district?: string };
  allInDistrict?: string;
}[] = [
  // Programmes
  { q: "危房改造", expect: ["notice:n1", "allocation:a3"] },
  { q: "农村危房改造补助资金", expect: ["notice:n1", "allocation:a3"] },
  { q: "低保", expect: ["policy:dibao-2017", "allocation:a5", "notice:n4"] },
  { q: "低保标准", expect: ["policy:dibao-2017"] },
  { q: "扶贫小额信贷", expect: ["policy:xindai-2017", "allocation:a6", "notice:n5"] },
  { q: "小额信贷", expect: ["policy:xindai-2017", "allocation:a6", "notice:n5"] },
  { q: "光伏扶贫", expect: ["project:p2"] },
  { q: "扶贫车间", expect: ["project:p4", "allocation:a4"] },
  { q: "教育扶贫", expect: ["allocation:a7"] },
  { q: "健康扶贫", expect: ["allocation:a8"] },
  { q: "大病保险", expect: ["allocation:a8"] },
  { q: "建档立卡", expect: ["notice:n6"] },
  { q: "乡村旅游", expect: ["project:p3"] },
  { q: "监督举报电话", expect: ["policy:action-plan"] },
  // Places
  // Many Gaoqing documents mention 资金: all of the top 5 must be Gaoqing's.
  { q: "高青 资金", expect: [], allInDistrict: "高青县" },
  { q: "高青 中央 资金", expect: ["allocation:a1"] },
  { q: "高青县 危房改造", expect: ["notice:n1"] },
  { q: "黄河滩区", expect: ["policy:tanqu-2017", "project:p1", "photo:ph1"] },
  { q: "太河库区", expect: ["allocation:a4", "project:p4"] },
  { q: "南部山区", expect: ["allocation:a2", "yearbook:y2017-boshan"] },
  { q: "常家镇", expect: ["notice:n1", "project:p1", "honor:h2"] },
  { q: "池上镇", expect: ["project:p3", "photo:ph2", "honor:h4"] },
  { q: "沂源 光伏", expect: ["project:p2"] },
  { q: "中郝峪村", expect: ["project:p3", "honor:h4"] },
  { q: "王村镇 道路", expect: ["project:p5"] },
  { q: "淄川 低保", expect: ["notice:n4"] },
  // Document numbers, however they are typed
  { q: "淄发〔2016〕3号", expect: ["policy:zf-2016-3"] },
  { q: "淄发[2016]3号", expect: ["policy:zf-2016-3"] },
  { q: "淄财农〔2018〕12号", expect: ["policy:czn-2018-12", "allocation:a1", "allocation:a2"] },
  { q: "淄财农(2018)12号", expect: ["policy:czn-2018-12", "allocation:a1", "allocation:a2"] },
  { q: "淄民发〔2017〕21号", expect: ["policy:dibao-2017"] },
  { q: "鲁政字〔2017〕168号", expect: ["policy:tanqu-2017"] },
  { q: "淄发〔2018〕18号", expect: ["policy:action-plan"] },
  // Honour roll and archive
  { q: "韩秀英", expect: ["honor:h1"] },
  { q: "孙立军", expect: ["honor:h3"] },
  { q: "第一书记", expect: ["honor:h3"] },
  { q: "先进集体", expect: ["honor:h2", "honor:h4"] },
  { q: "群英谱", expect: ["policy:action-plan"] },
  { q: "年鉴 2018", expect: ["yearbook:y2018"] },
  { q: "我眼中的脱贫攻坚", expect: ["photo:ph1", "photo:ph2"] },
  { q: "樱桃", expect: ["photo:ph2"] },
  { q: "公告公示", expect: ["policy:action-plan"] },
  // With facets
  { q: "贴息", filters: { district: "沂源县" }, expect: ["allocation:a6"] },
  { q: "资金使用", filters: { district: "沂源县" }, expect: ["notice:n2"] },
  { q: "扶贫", filters: { type: "honor" }, expect: ["honor:h1", "honor:h3"] },
  { q: "中央财政", filters: { year: 2018, type: "allocation" }, expect: ["allocation:a1", "allocation:a2"] },
];

describe("search relevance (embedded backend)", () => {
  const results: { q: string; ok: boolean; missing: string[]; top: string[]; p5: number }[] = [];

  // The tables are emptied before every test (test/support/setup-db.ts), so the corpus goes in each time.
  beforeEach(async () => {
    const { db } = await testDatabase();
    await embeddedBackend.index(db, CORPUS);
  });

  afterAll(() => {
    const passed = results.filter((r) => r.ok).length;
    const share = results.length ? (100 * passed) / results.length : 0;
    console.log(`search relevance: ${passed}/${results.length} queries pass (${share.toFixed(1)} %)`);
    if (process.env.SEARCH_RELEVANCE_REPORT) {
      for (const r of results) console.log(`  P@5 ${r.p5.toFixed(1)}  ${r.q}: ${r.top.join(", ")}`);
    }
    for (const r of results.filter((x) => !x.ok)) {
      console.log(`  FAIL ${r.q}: missing ${r.missing.join(", ")}; top 5 = ${r.top.join(", ")}`);
    }
  });

  it.each(CASES)("$q", async ({ q, expect: wanted, filters, allInDistrict }) => {
    const { db } = await testDatabase();
    const res = await search(db, { q, pageSize: 5, ...filters });
    const top = res.hits.map((h) => `${h.type}:${h.id}`);
    const missing = wanted.filter((w) => !top.includes(w));
    if (allInDistrict) {
      if (res.hits.length < 5) missing.push("(fewer than 5 hits)");
      for (const h of res.hits)
        if (h.district !== allInDistrict) missing.push(`${h.type}:${h.id} is not in ${allInDistrict}`);
    }
    // Precision at 5: the share of the top 5 that are wanted (for allInDistrict: in that district).
    const relevant = allInDistrict
      ? res.hits.filter((h) => h.district === allInDistrict).length
      : top.filter((t) => wanted.includes(t)).length;
    results.push({
      q: filters ? `${q} ${JSON.stringify(filters)}` : q,
      ok: missing.length === 0,
      missing,
      top,
      p5: relevant / 5,
    });
  });

  it("finds every query's documents in its top 5 (46 of 46: precision at 5 at its maximum on every query)", () => {
    expect(results.length).toBe(CASES.length);
    expect(results.filter((r) => !r.ok).map((r) => r.q)).toEqual([]);
  });
});
