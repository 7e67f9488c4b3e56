// Demo content for the archive. Invented for demonstration (built on the founding document's goals
// and figures) and marked 演示 wherever it is shown.

export const DEMO_POLICY = {
  slug: "demo-archive-notice-2019",
  title: "关于做好脱贫攻坚档案建设工作的通知（演示）",
  issuer: "淄博市扶贫开发领导小组办公室",
  docNumber: "淄扶贫办字〔2019〕8号（演示）",
  issuedOn: "2019-03-15",
  body: `> 本文件为演示数据，用于展示平台的政策文件功能，并非真实公文。

各区县扶贫办：

根据《中共淄博市委 淄博市人民政府关于打赢脱贫攻坚战三年行动的实施意见》第 26 条“建立淄博脱贫攻坚档案”的要求，现就有关事项通知如下。

## 一、年鉴编纂

每年第一季度，各区县报送上一年度脱贫攻坚工作情况、典型经验和统计数据，市扶贫办汇总编纂年度年鉴。

## 二、影像档案征集

面向社会长期征集“我眼中的脱贫攻坚”影像作品。投稿须由拍摄者本人提交，并同意公开展示；照片经审核后公开，发布时去除拍摄设备和位置信息。

## 三、群英谱

每年选树一批脱贫攻坚先进集体和先进个人，经公示后录入群英谱。

| 事项 | 时间 | 责任单位 |
| --- | --- | --- |
| 年鉴材料报送 | 每年3月底前 | 各区县扶贫办 |
| 影像征集 | 长期 | 市扶贫办 |
| 先进推荐 | 每年10月 | 各区县 |
`,
};

export const DEMO_CHAPTERS: { year: number; position: number; title: string; body: string }[] = [
  {
    year: 2018,
    position: 1,
    title: "年度综述",
    body: `2018 年是脱贫攻坚三年行动的开局之年。全市按照《关于打赢脱贫攻坚战三年行动的实施意见》确定的目标，**全面完成市现行扶贫标准下脱贫攻坚任务**，试点探索开发式扶贫与保障性扶贫并重的新机制。

- 开展贫困人口动态调整，做到“五个清楚”；
- 聚焦南部山区、太河库区和黄河滩区三个深度贫困区域；
- 启动黄河滩区 17 个村庄居民迁建工程。

*本章文字为演示内容。*`,
  },
  {
    year: 2018,
    position: 2,
    title: "产业扶贫与就业扶贫",
    body: `全市以发展农业“新六产”为方向，推行“龙头企业+合作社+农户”模式，建设扶贫车间，设立扶贫公益岗位。

| 指标（演示） | 数值 |
| --- | --- |
| 新建扶贫车间 | 36 处 |
| 设立公益岗位 | 1,200 个 |
| 参加技能培训的贫困劳动力 | 2,400 人次 |

*表中数字为演示数据。*`,
  },
  {
    year: 2018,
    position: 3,
    title: "健康扶贫与教育扶贫",
    body: `落实患病贫困人口“先诊疗、后付费”和“两免两减半”政策，定点医疗机构实现“一站式”即时结算；完成 474 个省扶贫工作重点村中义务教育薄弱学校改造任务。

*本章文字为演示内容。*`,
  },
  {
    year: 2019,
    position: 1,
    title: "年度综述",
    body: `2019 年，全市巩固提升脱贫攻坚成果，**试点探索扶贫开发政策与农村低保制度融合**（临淄区先行），城乡统筹一体化扶贫的新机制初步建立。年底各区县开展脱贫攻坚以来工作成效自查评估，向市委、市政府提交情况报告。

第二季度开展“问题整改落实季”，对发现的问题逐级逐部门建立台账、整改销号。

*本章文字为演示内容。*`,
  },
  {
    year: 2019,
    position: 2,
    title: "基础设施与人居环境",
    body: `推进改路、改电、改校、改房、改厕、改水、改暖“七改”，省扶贫工作重点村实现道路、客车、自来水、宽带、有线电视“村村通”。

新时代文明实践中心在全市全面推开。

*本章文字为演示内容。*`,
  },
  {
    year: 2019,
    position: 3,
    title: "社会扶贫",
    body: `深化淄博—滨州扶贫协作，继续推进“千企帮千村”行动；“10·17”扶贫日期间开展系列公益活动，“慈心一日捐”募集资金主要用于脱贫攻坚。

*本章文字为演示内容。*`,
  },
  {
    year: 2020,
    position: 1,
    title: "年度综述",
    body: `2020 年是脱贫攻坚决战决胜之年。全市**全面高质量完成脱贫攻坚任务**，建立起稳定脱贫的长效机制。上半年根据自查评估情况进行整改提升，下半年市扶贫开发领导小组对各区县进行全面评估验收。

*本章文字为演示内容。*`,
  },
  {
    year: 2020,
    position: 2,
    title: "黄河滩区迁建",
    body: `黄河滩区 17 个村庄居民迁建工程全面完成，解决了滩区居民 1,443 户、5,260 人的防洪安全和安居乐业问题。

*本章文字为演示内容（数字取自实施意见确定的目标）。*`,
  },
  {
    year: 2020,
    position: 3,
    title: "兜底保障",
    body: `城乡低保标准之比缩小到 1.4∶1，生活不能自理特困人员集中供养率达到 50% 以上。

*本章文字为演示内容（数字取自实施意见确定的目标）。*`,
  },
  {
    year: 2021,
    position: 1,
    title: "总结大会",
    body: `按照实施意见第 24 条，2021 年上半年召开脱贫攻坚总结大会，全面总结脱贫攻坚工作成就，推荐表彰在脱贫攻坚期作出突出贡献的先进集体和先进个人（见[群英谱](/honors?year=2021)）。

*本章文字为演示内容。*`,
  },
  {
    year: 2021,
    position: 2,
    title: "三年行动回顾",
    body: `三年来，全市坚持精准扶贫精准脱贫基本方略，实现由找准帮扶对象向精准帮扶稳定脱贫转变、由关注脱贫速度向保证脱贫质量转变、由开发式扶贫为主向开发式扶贫与保障式扶贫并重转变。

1. 2018 年：完成市现行标准下脱贫任务；
2. 2019 年：巩固提升脱贫成果；
3. 2020 年：全面高质量完成脱贫攻坚任务。

*本章文字为演示内容。*`,
  },
  {
    year: 2021,
    position: 3,
    title: "与乡村振兴有效衔接",
    body: `脱贫攻坚目标任务完成后，工作重心转向巩固拓展脱贫攻坚成果同乡村振兴有效衔接，乡村振兴支持政策优先向南部山区、太河库区和黄河滩区倾斜。

*本章文字为演示内容。*`,
  },
];

export const DEMO_HONORS: {
  year: number;
  kind: "collective" | "individual";
  name: string;
  unit: string;
  district: string;
  citation: string;
}[] = [
  {
    year: 2018,
    kind: "collective",
    name: "高青县黄河滩区迁建工作指挥部",
    unit: "高青县人民政府",
    district: "高青县",
    citation: "统筹推进黄河滩区居民迁建工程，迁建工作进度全市领先。（演示）",
  },
  {
    year: 2018,
    kind: "collective",
    name: "沂源县扶贫开发领导小组办公室",
    unit: "沂源县扶贫办",
    district: "沂源县",
    citation: "扎实开展贫困人口动态调整，建档立卡数据质量显著提升。（演示）",
  },
  {
    year: 2018,
    kind: "individual",
    name: "王建国",
    unit: "淄川区某村第一书记",
    district: "淄川区",
    citation: "驻村两年，带领村民发展特色种植，村集体经营性收入突破 3 万元。（演示）",
  },
  {
    year: 2018,
    kind: "individual",
    name: "李秀兰",
    unit: "博山区某镇卫生院",
    district: "博山区",
    citation: "作为第一村医，走遍全镇贫困户开展家庭医生签约服务。（演示）",
  },
  {
    year: 2019,
    kind: "collective",
    name: "博山区太河库区扶贫产业园",
    unit: "博山区池上镇",
    district: "博山区",
    citation: "以镇为单位统筹实施产业扶贫项目，吸纳贫困劳动力就近就业。（演示）",
  },
  {
    year: 2019,
    kind: "collective",
    name: "临淄区民政局",
    unit: "临淄区民政局",
    district: "临淄区",
    citation: "探索扶贫开发政策与农村低保制度融合，形成可复制的经验。（演示）",
  },
  {
    year: 2019,
    kind: "individual",
    name: "张海燕",
    unit: "沂源县某扶贫车间",
    district: "沂源县",
    citation: "创办扶贫车间，带动 40 余名贫困群众在家门口就业。（演示）",
  },
  {
    year: 2019,
    kind: "individual",
    name: "刘志强",
    unit: "周村区某村党支部",
    district: "周村区",
    citation: "带领村“两委”盘活闲置资源，发展边角经济。（演示）",
  },
  {
    year: 2020,
    kind: "collective",
    name: "淄川区教育局",
    unit: "淄川区教育局",
    district: "淄川区",
    citation: "落实贫困家庭学生资助政策，实现应助尽助、应免尽免。（演示）",
  },
  {
    year: 2020,
    kind: "collective",
    name: "桓台县某镇扶贫办",
    unit: "桓台县某镇人民政府",
    district: "桓台县",
    citation: "完成贫困户危房改造任务，建立危房台账，认定一户改造一户。（演示）",
  },
  {
    year: 2020,
    kind: "individual",
    name: "陈丽",
    unit: "高新区社会事业局",
    district: "高新区",
    citation: "组织青年志愿者结对帮扶贫困老年人，开展助餐、助洁服务。（演示）",
  },
  {
    year: 2020,
    kind: "individual",
    name: "赵明",
    unit: "高青县某村驻村工作队",
    district: "高青县",
    citation: "全程参与滩区迁建，协调解决搬迁群众实际困难。（演示）",
  },
  {
    year: 2021,
    kind: "collective",
    name: "沂源县扶贫开发领导小组",
    unit: "沂源县",
    district: "沂源县",
    citation: "脱贫攻坚期内作出突出贡献，推荐参加省级表彰。（演示）",
  },
  {
    year: 2021,
    kind: "collective",
    name: "张店区扶贫协作工作组",
    unit: "张店区人民政府",
    district: "张店区",
    citation: "深化淄博—滨州扶贫协作，结对帮扶措施落实到村。（演示）",
  },
  {
    year: 2021,
    kind: "individual",
    name: "孙红梅",
    unit: "经济开发区某社区",
    district: "经济开发区",
    citation: "长期从事困难残疾人帮扶，推动无障碍改造进家庭。（演示）",
  },
  {
    year: 2021,
    kind: "individual",
    name: "周文",
    unit: "文昌湖某村",
    district: "文昌湖省级旅游度假区",
    citation: "发展乡村旅游，带动贫困户增收。（演示）",
  },
];

export const DEMO_PHOTOS: {
  title: string;
  description: string;
  place: string;
  district: string;
  takenOn: string;
  creator: string;
}[] = [
  {
    title: "滩区新居",
    description: "黄河滩区迁建社区建成后的第一个春天。（演示作品）",
    place: "高青县黄河滩区迁建社区",
    district: "高青县",
    takenOn: "2020-04-12",
    creator: "演示作者甲",
  },
  {
    title: "山村的扶贫车间",
    description: "村民在扶贫车间加工手工艺品。（演示作品）",
    place: "沂源县某村",
    district: "沂源县",
    takenOn: "2019-09-03",
    creator: "演示作者乙",
  },
  {
    title: "太河库区的果园",
    description: "合作社带动贫困户种植的果园迎来丰收。（演示作品）",
    place: "淄川区太河镇",
    district: "淄川区",
    takenOn: "2019-10-20",
    creator: "演示作者丙",
  },
  {
    title: "硬化到户的村路",
    description: "村内道路硬化户户通。（演示作品）",
    place: "博山区池上镇",
    district: "博山区",
    takenOn: "2018-11-08",
    creator: "演示作者丁",
  },
  {
    title: "第一村医入户",
    description: "乡村医生上门为老人测血压。（演示作品）",
    place: "博山区某村",
    district: "博山区",
    takenOn: "2020-06-15",
    creator: "演示作者戊",
  },
  {
    title: "丰收的田野",
    description: "南部山区的秋收时节。（演示作品）",
    place: "沂源县南部山区",
    district: "沂源县",
    takenOn: "2020-09-28",
    creator: "演示作者己",
  },
];
