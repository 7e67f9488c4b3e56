import { eq, sql } from "drizzle-orm";
import { type Db, rows } from "../db/client";
import {
  type FundLevel,
  fundAllocations,
  fundAllocationVersions,
  notices,
  PROJECT_STAGES,
  type ProjectStage,
  projectAssets,
  projectStages,
  projects,
} from "../db/schema";
import { addDays, todayCn } from "../domain/notices/state";

// Demo data for fund transparency: allocations across all 11 districts and 2018–2025 (down to village
// level), some corrected and one withdrawn; projects at every stage with asset records; notices in
// every state — with periods computed from today, so there is always a 高青县 notice in its period.

const YEARS = [2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025];

/** Short names used in county document numbers (高财农〔2018〕8号). */
const DOC_PREFIX: Record<string, string> = {
  张店区: "张财农",
  淄川区: "川财农",
  博山区: "博财农",
  临淄区: "临财农",
  周村区: "周财农",
  桓台县: "桓财农",
  高青县: "高财农",
  沂源县: "沂财农",
  高新区: "高新财农",
  经济开发区: "经开财农",
  文昌湖省级旅游度假区: "文昌湖财农",
};

function fundName(level: FundLevel, year: number, district: string) {
  // From 2021 the special poverty funds became 衔接推进乡村振兴补助资金.
  const kind = year >= 2021 ? "衔接推进乡村振兴补助资金" : "专项扶贫资金";
  switch (level) {
    case "central":
      return `中央财政${kind}`;
    case "provincial":
      return `省级财政${kind}`;
    case "city":
      return `市级财政${kind}`;
    case "county":
      return `${district}财政${kind}`;
  }
}

function docNumber(level: FundLevel, year: number, district: string, n: number) {
  switch (level) {
    case "central":
      return `鲁财农指〔${year}〕${n}号`;
    case "provincial":
      return `鲁财农〔${year}〕${n + 20}号`;
    case "city":
      return `淄财农〔${year}〕${n}号`;
    case "county":
      return `${DOC_PREFIX[district] ?? "财农"}〔${year}〕${n}号`;
  }
}

/** Deterministic pseudo-random numbers (mulberry32). */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VILLAGE_USES: [string, string][] = [
  ["industry", "扶贫车间建设及设备购置"],
  ["industry", "光伏扶贫电站建设"],
  ["industry", "特色种植（桑蚕、蜜桃）产业扶持"],
  ["infrastructure", "村内道路硬化"],
  ["infrastructure", "农村饮水安全巩固提升"],
  ["housing", "建档立卡贫困户危房改造补助"],
  ["employment", "公益性岗位补贴"],
  ["education", "贫困家庭学生资助"],
  ["health", "贫困人口医疗救助补充保险"],
  ["microfinance", "扶贫小额信贷贴息"],
];
const LEVELS: FundLevel[] = ["central", "provincial", "city", "county"];

interface Place {
  districtId: number;
  district: string;
  towns: { id: number; name: string; villages: { id: number; name: string }[] }[];
}

async function places(db: Db): Promise<Place[]> {
  const list = await rows<{
    did: number;
    district: string;
    tid: number;
    town: string;
    vid: number | null;
    village: string | null;
  }>(
    db,
    sql`SELECT d.id AS did, d.name AS district, t.id AS tid, t.name AS town, v.id AS vid, v.name AS village
      FROM districts d JOIN towns t ON t.district_id = d.id LEFT JOIN villages v ON v.town_id = t.id
      ORDER BY d.sort, d.id, t.id, v.id`,
  );
  const out: Place[] = [];
  for (const r of list) {
    let d = out.find((p) => p.districtId === Number(r.did));
    if (!d) out.push((d = { districtId: Number(r.did), district: r.district, towns: [] }));
    let t = d.towns.find((x) => x.id === Number(r.tid));
    if (!t) d.towns.push((t = { id: Number(r.tid), name: r.town, villages: [] }));
    if (r.vid != null) t.villages.push({ id: Number(r.vid), name: r.village as string });
  }
  return out;
}

type Row = typeof fundAllocations.$inferInsert;

export async function seedFundsDemo(db: Db) {
  const [{ n }] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM fund_allocations WHERE is_demo`);
  if (n > 0) return;
  const all = await places(db);
  const rand = prng(20181029);
  const today = todayCn();

  await db.transaction(async (tx) => {
    // ------------------------------------------------------------------ projects (all stages)
    const gaoqing = all.find((p) => p.district === "高青县")!;
    const yiyuan = all.find((p) => p.district === "沂源县")!;
    const boshan = all.find((p) => p.district === "博山区")!;
    const zichuan = all.find((p) => p.district === "淄川区")!;
    const town = (p: Place, name: string) => p.towns.find((t) => t.name === name) ?? p.towns[0];
    const changjia = town(gaoqing, "常家镇");
    const muli = town(gaoqing, "木李镇");
    const projectDefs: {
      name: string;
      year: number;
      place: Place;
      townId: number;
      villageId: number | null;
      category: string;
      stage: ProjectStage;
      amount: string;
      content: string;
      unit: string;
      person: string;
      target: string;
      mechanism: string;
      asset?: { name: string; value: string; owner: string; manager: string; maintenance: string };
    }[] = [
      {
        name: "高青县黄河滩区居民迁建工程（常家镇）",
        year: 2018,
        place: gaoqing,
        townId: changjia.id,
        villageId: null,
        category: "housing",
        stage: "distribution",
        amount: "86000000.00",
        content: "滩区居民外迁安置，建设安置社区住宅楼及配套设施",
        unit: "高青县黄河滩区迁建工程指挥部",
        person: "王建国",
        target: "安置滩区群众 1,443 户 5,260 人，2020 年底前全部入住",
        mechanism: "安置房优先分配建档立卡贫困户，配套扶贫车间吸纳就业",
        asset: {
          name: "常家镇滩区迁建安置社区",
          value: "86000000.00",
          owner: "常家镇人民政府",
          manager: "安置社区居委会",
          maintenance: "镇政府负责公共设施管护，物业公司日常维护",
        },
      },
      {
        name: `${changjia.villages[0]?.name ?? "东村"}扶贫车间`,
        year: 2018,
        place: gaoqing,
        townId: changjia.id,
        villageId: changjia.villages[0]?.id ?? null,
        category: "industry",
        stage: "maintenance",
        amount: "600000.00",
        content: "新建钢结构扶贫车间 1,200 平方米，出租用于服装加工",
        unit: "常家镇人民政府",
        person: "李红",
        target: "吸纳贫困劳动力 30 人就业，年租金收益 6 万元",
        mechanism: "租金收益的 80% 用于村内贫困户分红和公益岗位",
        asset: {
          name: "扶贫车间（钢结构 1,200㎡）",
          value: "600000.00",
          owner: "村集体经济组织",
          manager: "村党支部委员会",
          maintenance: "村集体负责日常维护，租户承担使用期间维修",
        },
      },
      {
        name: "沂源县村级光伏扶贫电站",
        year: 2019,
        place: yiyuan,
        townId: yiyuan.towns[0].id,
        villageId: yiyuan.towns[0].villages[0]?.id ?? null,
        category: "industry",
        stage: "accepted",
        amount: "1200000.00",
        content: "建设 300 千瓦村级光伏电站",
        unit: "沂源县扶贫办",
        person: "赵明",
        target: "年发电收益约 30 万元",
        mechanism: "收益用于设置公益岗位和贫困户分红",
        asset: {
          name: "300kW 村级光伏电站",
          value: "1200000.00",
          owner: "村集体经济组织",
          manager: "县供电公司代运维",
          maintenance: "运维单位负责设备巡检，村集体负责场地管护",
        },
      },
      {
        name: "博山区南部山区村内道路硬化",
        year: 2024,
        place: boshan,
        townId: boshan.towns[0].id,
        villageId: boshan.towns[0].villages[1]?.id ?? null,
        category: "infrastructure",
        stage: "implementing",
        amount: "850000.00",
        content: "硬化村内道路 3.2 公里",
        unit: "池上镇人民政府",
        person: "孙伟",
        target: "解决 260 户群众出行难",
        mechanism: "优先雇用本村低收入劳动力参与施工",
      },
      {
        name: `${muli.villages[0]?.name ?? "西村"}特色种植基地`,
        year: 2025,
        place: gaoqing,
        townId: muli.id,
        villageId: muli.villages[0]?.id ?? null,
        category: "industry",
        stage: "approved",
        amount: "450000.00",
        content: "建设高效农业大棚 12 个",
        unit: "木李镇人民政府",
        person: "周倩",
        target: "带动 20 户低收入户增收",
        mechanism: "大棚租赁给合作社，收益按股分配",
      },
      {
        name: "淄川区太河库区乡村旅游配套设施",
        year: 2025,
        place: zichuan,
        townId: zichuan.towns[0].id,
        villageId: null,
        category: "infrastructure",
        stage: "reserve",
        amount: "1500000.00",
        content: "建设游客服务中心和停车场",
        unit: "太河镇人民政府",
        person: "吴刚",
        target: "带动库区 5 个村发展农家乐",
        mechanism: "吸纳低收入人口就业，村集体入股分红",
      },
    ];
    const stageOrder: readonly ProjectStage[] = PROJECT_STAGES;
    const stageNotes: Record<ProjectStage, string> = {
      reserve: "纳入项目库",
      approved: "经县扶贫开发领导小组研究，遴选立项",
      implementing: "开工建设",
      accepted: "通过竣工验收",
      maintenance: "移交管护",
      distribution: "首次收益分配完成",
    };
    const projectIds: number[] = [];
    for (const p of projectDefs) {
      const [row] = await tx
        .insert(projects)
        .values({
          name: p.name,
          year: p.year,
          districtId: p.place.districtId,
          townId: p.townId,
          villageId: p.villageId,
          categoryCode: p.category,
          location: p.place.district + (p.place.towns.find((t) => t.id === p.townId)?.name ?? ""),
          content: p.content,
          subsidyStandard: "按批复预算据实补助",
          fundingSource: `财政专项扶贫资金 ${p.amount} 元`,
          fundingAmount: p.amount,
          periodText: `${p.year}年3月至${p.year}年12月`,
          implementingUnit: p.unit,
          responsiblePerson: p.person,
          performanceTarget: p.target,
          povertyMechanism: p.mechanism,
          supervisionPhone: "12317",
          stage: p.stage,
          isDemo: true,
        })
        .returning({ id: projects.id });
      projectIds.push(row.id);
      const upTo = stageOrder.indexOf(p.stage);
      const base = p.year >= 2025 ? addDays(today, -200) : `${p.year}-02-15`;
      await tx.insert(projectStages).values(
        stageOrder.slice(0, upTo + 1).map((s, i) => ({
          projectId: row.id,
          stage: s,
          happenedOn: addDays(base, i * 60),
          note: stageNotes[s],
        })),
      );
      if (p.asset) {
        await tx.insert(projectAssets).values({
          projectId: row.id,
          assetName: p.asset.name,
          assetValue: p.asset.value,
          owner: p.asset.owner,
          manager: p.asset.manager,
          maintenance: p.asset.maintenance,
          registeredOn: addDays(base, 3 * 60 + 10),
        });
      }
    }

    // ---------------------------------------------------------------- allocations
    const values: Row[] = [];
    for (const year of YEARS) {
      for (const d of all) {
        let docN = 3 + Math.floor(rand() * 10);
        for (const level of LEVELS) {
          const doc = docNumber(level, year, d.district, docN++);
          const published = `${year}-${String(3 + LEVELS.indexOf(level) * 2).padStart(2, "0")}-${String(5 + Math.floor(rand() * 20)).padStart(2, "0")}`;
          for (const t of d.towns) {
            // A town-level allocation from every level in key districts, from two levels elsewhere.
            if (
              !(
                level === "central" ||
                level === "provincial" ||
                ["淄川区", "博山区", "高青县", "沂源县"].includes(d.district)
              )
            )
              continue;
            // This document's allocation to the town itself (villageId null) or to one of its villages.
            const allocation = (
              villageId: number | null,
              categoryCode: string,
              amount: string,
              purpose: string,
            ): Row => ({
              year,
              level,
              fundName: fundName(level, year, d.district),
              docNumber: doc,
              districtId: d.districtId,
              townId: t.id,
              villageId,
              categoryCode,
              amount,
              purpose,
              publishedOn: published,
              isDemo: true,
            });
            const [cat, use] = VILLAGE_USES[Math.floor(rand() * VILLAGE_USES.length)];
            values.push(allocation(null, cat, `${100000 + Math.floor(rand() * 90) * 10000}.00`, `${t.name}${use}`));
            if (level === "central" || level === "city") {
              for (const v of t.villages.slice(0, level === "central" ? 3 : 2)) {
                const [vc, vu] = VILLAGE_USES[Math.floor(rand() * VILLAGE_USES.length)];
                const amount = `${20000 + Math.floor(rand() * 480) * 1000}.${rand() < 0.3 ? "50" : "00"}`;
                values.push(allocation(v.id, vc, amount, `${v.name}${vu}`));
              }
            }
          }
        }
      }
    }
    // Link a few allocations to projects.
    const projectAlloc: Row[] = projectDefs.map((p, i) => ({
      year: p.year,
      level: "central",
      fundName: fundName("central", p.year, p.place.district),
      docNumber: docNumber("central", p.year, p.place.district, 90 + i),
      districtId: p.place.districtId,
      townId: p.townId,
      villageId: p.villageId,
      projectId: projectIds[i],
      categoryCode: p.category,
      amount: p.amount,
      purpose: p.content,
      publishedOn: `${p.year}-04-10`,
      isDemo: true,
    }));
    values.push(...projectAlloc);

    const ids: number[] = [];
    for (let i = 0; i < values.length; i += 500) {
      const chunk = values.slice(i, i + 500);
      const inserted = await tx.insert(fundAllocations).values(chunk).returning({ id: fundAllocations.id });
      await tx.insert(fundAllocationVersions).values(
        chunk.map((v, j) => {
          const { isDemo: _d, ...rest } = v;
          return {
            ...rest,
            allocationId: inserted[j].id,
            version: 1,
            kind: "original" as const,
            createdAt: new Date(`${v.publishedOn}T09:00:00+08:00`),
          };
        }),
      );
      ids.push(...inserted.map((r) => r.id));
    }

    // Corrections: the first village allocation of 高青县 2018 in every 高青 town, and a few elsewhere.
    const byIndex = (pred: (v: Row) => boolean, limit: number) =>
      values
        .map((v, i) => [v, ids[i]] as const)
        .filter(([v]) => pred(v))
        .slice(0, limit);
    const toCorrect = [
      ...gaoqing.towns.flatMap((t) =>
        byIndex((v) => v.year === 2018 && v.townId === t.id && v.villageId === (t.villages[0]?.id ?? -1), 1),
      ),
      ...byIndex((v) => v.year === 2020 && v.districtId === yiyuan.districtId && v.villageId != null, 2),
      ...byIndex((v) => v.year === 2023 && v.districtId === boshan.districtId && v.villageId == null, 1),
    ];
    for (const [v, id] of toCorrect) {
      const [int] = String(v.amount).split(".");
      const corrected = `${Number(int) - 5000}.00`;
      await tx.update(fundAllocations).set({ amount: corrected, version: 2 }).where(eq(fundAllocations.id, id));
      const { isDemo: _d, ...rest } = v;
      await tx.insert(fundAllocationVersions).values({
        ...rest,
        amount: corrected,
        allocationId: id,
        version: 2,
        kind: "correction",
        reason: "原录入金额与拨付文件不一致，按文件更正",
        createdAt:
          new Date(`${v.publishedOn}T09:00:00+08:00`).getTime() + 20 * 86400_000 > Date.now()
            ? new Date()
            : new Date(new Date(`${v.publishedOn}T09:00:00+08:00`).getTime() + 20 * 86400_000),
      });
    }
    // One withdrawal (a duplicate entry).
    const [[wv, wid]] = byIndex(
      (v) => v.year === 2019 && v.districtId === gaoqing.districtId && v.villageId != null,
      1,
    );
    await tx.update(fundAllocations).set({ status: "withdrawn", version: 2 }).where(eq(fundAllocations.id, wid));
    {
      const { isDemo: _d, ...rest } = wv;
      await tx.insert(fundAllocationVersions).values({
        ...rest,
        allocationId: wid,
        version: 2,
        kind: "withdrawal",
        reason: "与同文号另一条记录重复录入，撤回",
      });
    }

    // ------------------------------------------------------------------------ notices
    const noticeBase = (p: (typeof projectDefs)[number], i: number) => ({
      projectId: projectIds[i],
      districtId: p.place.districtId,
      townId: p.townId,
      villageId: p.villageId,
      projectName: p.name,
      location: p.place.district + (p.place.towns.find((t) => t.id === p.townId)?.name ?? ""),
      content: p.content,
      subsidyStandard: "按批复预算据实补助",
      funding: `财政专项扶贫资金 ${Number(p.amount) / 10000} 万元`,
      periodText: `${p.year}年3月至${p.year}年12月`,
      implementer: `${p.unit}，责任人：${p.person}`,
      performanceTarget: p.target,
      povertyMechanism: p.mechanism,
      supervisionPhone: "12317，0533-6181234",
      isDemo: true,
    });
    const workshop = projectDefs[1];
    // In period now (高青县): started 3 days ago, 10 days.
    const inPeriodStart = addDays(today, -3);
    await tx.insert(notices).values({
      ...noticeBase(projectDefs[4], 4),
      title: `关于${projectDefs[4].name}项目安排的公示`,
      body: "根据财政专项扶贫资金项目公告公示制度，现将项目安排予以公示。如有异议，请在公示期内反映。",
      periodDays: 10,
      periodStart: inPeriodStart,
      periodEnd: addDays(inPeriodStart, 9),
      status: "published",
      publishedAt: new Date(`${inPeriodStart}T09:00:00+08:00`),
    });
    // Ended (2018).
    await tx.insert(notices).values({
      ...noticeBase(workshop, 1),
      title: `关于${workshop.name}项目的公示`,
      body: "项目已完成遴选立项，现予公示。",
      periodDays: 10,
      periodStart: "2018-04-01",
      periodEnd: "2018-04-10",
      status: "published",
      publishedAt: new Date("2018-04-01T09:00:00+08:00"),
    });
    // Amended: the original (ended period) and its correction (in period).
    const [orig] = await tx
      .insert(notices)
      .values({
        ...noticeBase(projectDefs[3], 3),
        title: `关于${projectDefs[3].name}项目的公示`,
        content: "硬化村内道路 2.3 公里",
        periodDays: 10,
        periodStart: addDays(today, -6),
        periodEnd: addDays(today, 3),
        status: "published",
        publishedAt: new Date(`${addDays(today, -6)}T09:00:00+08:00`),
      })
      .returning({ id: notices.id });
    const [amended] = await tx
      .insert(notices)
      .values({
        ...noticeBase(projectDefs[3], 3),
        title: `关于${projectDefs[3].name}项目的公示（更正）`,
        periodDays: 10,
        periodStart: addDays(today, -2),
        periodEnd: addDays(today, 7),
        status: "published",
        publishedAt: new Date(`${addDays(today, -2)}T09:00:00+08:00`),
        amendsId: orig.id,
        amendReason: "建设内容中道路长度有误（应为 3.2 公里），予以更正并重新公示",
      })
      .returning({ id: notices.id });
    await tx.update(notices).set({ supersededById: amended.id }).where(eq(notices.id, orig.id));
    // Withdrawn.
    await tx.insert(notices).values({
      ...noticeBase(projectDefs[5], 5),
      title: `关于${projectDefs[5].name}项目的公示`,
      periodDays: 10,
      periodStart: addDays(today, -20),
      periodEnd: addDays(today, -11),
      status: "withdrawn",
      publishedAt: new Date(`${addDays(today, -20)}T09:00:00+08:00`),
      withdrawnAt: new Date(`${addDays(today, -18)}T15:00:00+08:00`),
      withdrawReason: "项目尚未完成遴选立项，公示发布有误，予以撤回",
    });
    // Allocation batch notices for 2018 (高青县, ended) and the 光伏 project (沂源县, ended).
    await tx.insert(notices).values([
      {
        title: "高青县2018年财政专项扶贫资金分配结果公告",
        docNumber: "淄财农〔2018〕12号",
        districtId: gaoqing.districtId,
        funding: "中央、省、市、县四级财政专项扶贫资金",
        body: "现将2018年度财政专项扶贫资金分配结果予以公告，详见资金公开栏目。",
        supervisionPhone: "12317",
        periodDays: 10,
        periodStart: "2018-11-01",
        periodEnd: "2018-11-10",
        status: "published",
        publishedAt: new Date("2018-11-01T09:00:00+08:00"),
        isDemo: true,
      },
      {
        ...noticeBase(projectDefs[2], 2),
        title: `关于${projectDefs[2].name}竣工验收结果的公示`,
        periodDays: 10,
        periodStart: "2019-12-02",
        periodEnd: "2019-12-11",
        status: "published",
        publishedAt: new Date("2019-12-02T09:00:00+08:00"),
      },
    ]);
  });
}
