import { sql } from "drizzle-orm";
import iconv from "iconv-lite";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { renditionFile } from "../../domain/archive/images";
import { verifyAuditChain } from "../../domain/audit/audit-log";
import { publicHousingCases } from "../../domain/money/housing-cases";
import { readFileBytes } from "../../storage/files";
import { exec, staff } from "../support/console";
import { testDatabase } from "../support/db";
import { api, expectEnvelope } from "../support/http";
import { idn, PEOPLE, postProject, publishReviewNotice, trail } from "../support/money";

// The publishing side of the money trail: project spending, 危房改造 cases through their stages with
// public reading under the privacy rules, beneficiary 公示 lists, and the CSV imports of disbursements,
// spending, households and cases (all rows or none, row report with personal data masked).

const daysAgo = (n: number) => new Date(Date.now() + 8 * 3600_000 - n * 86_400_000).toISOString().slice(0, 10);
const daysAhead = (n: number) => daysAgo(-n);

type Pub = Awaited<ReturnType<typeof staff>>;

async function aProject(pub: Pub, v: { district: string; town: string; village: string }) {
  const r = await postProject(pub, v);
  expect(r.status).toBe(201);
  return r.body.id as number;
}

function csvUpload(pub: Pub, kind: string, bytes: Uint8Array, dryRun = false) {
  const form = new FormData();
  form.set("file", new File([new Uint8Array(bytes)], "导入.csv", { type: "text/csv" }));
  return pub.call(`/api/imports/${kind}${dryRun ? "?dryRun=true" : ""}`, { method: "POST", body: form });
}
const utf8 = (s: string) => new TextEncoder().encode(s);
const gbk = (s: string) => new Uint8Array(iconv.encode(s, "gbk"));

async function leaksNothing(urls: string[]) {
  for (const url of urls) {
    const r = await api(url);
    expect(r.status, url).toBeLessThan(500);
    for (const p of PEOPLE) {
      expect(r.text, `${url} leaks an ID number`).not.toContain(p.idNumber);
      expect(r.text, `${url} leaks an ID number's middle`).not.toContain(p.idNumber.slice(4, 14));
      expect(r.text, `${url} leaks a name`).not.toContain(p.name);
    }
  }
}

describe("project spending", () => {
  it("is public with its payee; never more than its disbursement; corrections and withdrawals are audited versions", async () => {
    const { db } = await testDatabase();
    const t = await trail("100000.00", "60000.00");
    const projectId = await aProject(t.pub, t.v);
    const base = {
      projectId,
      disbursementId: t.disbursementId,
      payee: "高青县路桥工程有限公司",
      contractNo: "GQ-2026-018",
      paidOn: "2026-07-01",
      purpose: "路基及面层",
      stage: "implementing",
    };
    const over = await t.pub.call("/api/spending", { method: "POST", json: { ...base, amount: "60000.01" } });
    expect(over.status).toBe(409);
    expect(expectEnvelope(over.body).message).toContain("最多还可支出 60,000.00 元");
    const bad = await t.pub.call("/api/spending", { method: "POST", json: { ...base, amount: "1.234", stage: "x" } });
    expect(bad.status).toBe(400);
    expect(expectEnvelope(bad.body).message).toMatch(/[\u4e00-\u9fff]/);
    const noProject = await t.pub.call("/api/spending", {
      method: "POST",
      json: { ...base, projectId: 999999, amount: "10.00" },
    });
    expect(noProject.status).toBe(400);
    expect(expectEnvelope(noProject.body).message).toBe("没有这个项目");

    const ok = await t.pub.call("/api/spending", { method: "POST", json: { ...base, amount: "45000.00" } });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ payee: "高青县路桥工程有限公司", stageLabel: "组织实施", version: 1 });
    const anon = await api("/api/spending", { method: "POST", json: { ...base, amount: "1.00" } });
    expect(anon.status).toBe(401);

    const corrected = await t.pub.call(`/api/spending/${ok.body.id}/corrections`, {
      method: "POST",
      json: { amount: "44000.00", reason: "按发票更正" },
    });
    expect(corrected.status).toBe(201);
    expect(corrected.body.versions.map((v: { kind: string }) => v.kind)).toEqual(["correction", "original"]);
    const second = await t.pub.call("/api/spending", {
      method: "POST",
      json: { ...base, contractNo: "GQ-2026-019", amount: "5000.00" },
    });
    const withdrawn = await t.pub.call(`/api/spending/${second.body.id}/withdrawal`, {
      method: "POST",
      json: { reason: "重复登记" },
    });
    expect(withdrawn.body).toMatchObject({ status: "withdrawn", version: 2 });

    const list = await api(`/api/spending?projectId=${projectId}`);
    expect(list.status).toBe(200);
    expect(list.body.total).toBe("44000.00");
    expect(list.body.items).toHaveLength(2);
    const audits = await exec(sql`SELECT action FROM audit_log WHERE subject_type = 'spending' ORDER BY id`);
    expect(audits.map((a) => a.action)).toEqual([
      "spending.create",
      "spending.correct",
      "spending.create",
      "spending.withdraw",
    ]);
    expect((await verifyAuditChain(db)).ok).toBe(true);
    // The project page shows the spending and its payee.
    const page = await api(`/api/spending/${ok.body.id}`);
    expect(page.body.contractNo).toBe("GQ-2026-018");
    expect((await api("/api/spending?projectId=abc")).status).toBe(400);
  });
});

describe("危房改造 cases", () => {
  it("move forward through the stages, link their 公示, and are public only while that 公示 is", async () => {
    const { db } = await testDatabase();
    const t = await trail();
    const bad = await t.pub.call("/api/housing-cases", {
      method: "POST",
      json: {
        householdId: t.households[0],
        year: 2026,
        grade: "B",
        method: "rebuild",
        amount: "30000",
        appliedOn: "2026-03-01",
      },
    });
    expect(bad.status).toBe(400);
    expect(expectEnvelope(bad.body).message).toContain("鉴定等级应为 C 或 D");
    const ids: number[] = [];
    for (const h of t.households.slice(0, 3)) {
      const r = await t.pub.call("/api/housing-cases", {
        method: "POST",
        json: { householdId: h, year: 2026, grade: "D", method: "rebuild", amount: "30000", appliedOn: "2026-03-01" },
      });
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    const twice = await t.pub.call("/api/housing-cases", {
      method: "POST",
      json: {
        householdId: t.households[0],
        year: 2026,
        grade: "D",
        method: "new",
        amount: "1",
        appliedOn: "2026-03-02",
      },
    });
    expect(twice.status).toBe(409);

    // Before any 公示: counts only.
    let pub = await api(`/api/housing-cases?villageId=${t.v.id}`);
    expect(pub.body.cases).toEqual([]);
    expect(pub.body.byStage.find((s: { stage: string }) => s.stage === "applied").cases).toBe(3);
    expect((await api(`/api/housing-cases/${ids[0]}`)).status).toBe(404);

    const noticeId = await publishReviewNotice(t, "村民代表会议评议结果。");
    const skip = await t.pub.call(`/api/housing-cases/${ids[0]}/stages`, {
      method: "POST",
      json: { stage: "applied", on: "2026-03-05" },
    });
    expect(skip.status).toBe(409);
    const early = await t.pub.call(`/api/housing-cases/${ids[0]}/stages`, {
      method: "POST",
      json: { stage: "village_review", on: "2026-02-01", noticeId },
    });
    expect(early.status).toBe(400);
    const missingNotice = await t.pub.call(`/api/housing-cases/${ids[0]}/stages`, {
      method: "POST",
      json: { stage: "village_review", on: "2026-03-10", noticeId: 999999 },
    });
    expect(missingNotice.status).toBe(400);
    const reviewed = await t.pub.call(`/api/housing-cases/${ids[0]}/stages`, {
      method: "POST",
      json: { stage: "village_review", on: "2026-03-10", noticeId },
    });
    expect(reviewed.status).toBe(201);
    expect(reviewed.body.version).toBe(2);

    pub = await api(`/api/housing-cases?villageId=${t.v.id}`);
    expect(pub.body.cases).toHaveLength(1);
    expect(pub.body.cases[0]).toMatchObject({ nameMasked: "张*明", stage: "village_review", reviewNoticeId: noticeId });
    // Two cases left at 申请 and one at 村评议: the small cells are suppressed.
    expect(pub.body.byStage.find((s: { stage: string }) => s.stage === "village_review").cases).toBeNull();
    const one = await api(`/api/housing-cases/${ids[0]}`);
    expect(one.status).toBe(200);
    expect(one.body.stageDates).toEqual({ applied: "2026-03-01", village_review: "2026-03-10" });

    // A before photo: stored without EXIF or GPS, listed with the public case.
    const jpeg = await sharp({ create: { width: 800, height: 600, channels: 3, background: "#a74" } })
      .jpeg()
      .withExif({
        IFD0: { Make: "TestCam", Model: "T1" },
        IFD3: { GPSLatitudeRef: "N", GPSLatitude: "36/1 48/1 30/1" },
      })
      .toBuffer();
    const photoForm = (phase: string, bytes: Uint8Array) => {
      const f = new FormData();
      f.set("phase", phase);
      f.set("photo", new File([new Uint8Array(bytes)], "before.jpg", { type: "image/jpeg" }));
      return f;
    };
    const uploaded = await t.pub.call(`/api/housing-cases/${ids[0]}/photos`, {
      method: "POST",
      body: photoForm("before", jpeg),
    });
    expect(uploaded.status).toBe(201);
    const notImage = await t.pub.call(`/api/housing-cases/${ids[0]}/photos`, {
      method: "POST",
      body: photoForm("before", utf8("not a picture")),
    });
    expect(notImage.status).toBe(415);
    const badPhase = await t.pub.call(`/api/housing-cases/${ids[0]}/photos`, {
      method: "POST",
      body: photoForm("during", jpeg),
    });
    expect(badPhase.status).toBe(400);
    const withPhoto = await api(`/api/housing-cases/${ids[0]}`);
    expect(withPhoto.body.photos).toMatchObject([{ id: uploaded.body.id, phase: "before", phaseLabel: "改造前" }]);
    const photo = withPhoto.body.photos[0];
    for (const w of photo.sizes) {
      const file = renditionFile("housing", photo.key, `${w}.jpg`, photo.sizes)!;
      const bytes = (await readFileBytes(db, file.name))!;
      expect((await sharp(bytes).metadata()).exif).toBeUndefined();
      expect(bytes.includes(Buffer.from("TestCam"))).toBe(false);
    }
    expect((await api(`/api/housing-cases/${ids[0]}/photos/${photo.id}`, { method: "DELETE" })).status).toBe(401);
    const removed = await t.pub.call(`/api/housing-cases/${ids[0]}/photos/${photo.id}`, { method: "DELETE" });
    expect(removed.status).toBe(204);
    expect((await api(`/api/housing-cases/${ids[0]}`)).body.photos).toEqual([]);
    expect(
      await readFileBytes(db, renditionFile("housing", photo.key, `${photo.sizes[0]}.jpg`, photo.sizes)!.name),
    ).toBeNull();

    // After the period and the retention: no longer public.
    const later = await publicHousingCases(db, t.v.id, daysAhead(400));
    expect(later.cases).toEqual([]);

    const corrected = await t.pub.call(`/api/housing-cases/${ids[1]}/corrections`, {
      method: "POST",
      json: { amount: "25000.00", reason: "按鉴定报告更正" },
    });
    expect(corrected.body.version).toBe(2);
    const noReason = await t.pub.call(`/api/housing-cases/${ids[1]}/corrections`, {
      method: "POST",
      json: { amount: "25000.00" },
    });
    expect(noReason.status).toBe(400);
    const actions = await exec(sql`SELECT action FROM audit_log WHERE subject_type = 'housing_case' ORDER BY id`);
    expect(actions.map((a) => a.action)).toEqual([
      "housing_case.create",
      "housing_case.create",
      "housing_case.create",
      "housing_case.correct",
      "housing_case.photo_add",
      "housing_case.photo_remove",
      "housing_case.correct",
    ]);
    expect((await api(`/api/housing-cases/${ids[0]}/stages`, { method: "POST", json: {} })).status).toBe(401);
    await leaksNothing([`/api/housing-cases?villageId=${t.v.id}`, `/api/housing-cases/${ids[0]}`]);
  });
});

describe("beneficiary 公示 lists", () => {
  it("publish as a notice of at least 10 days, by household or ID number; public with masked names", async () => {
    const t = await trail();
    const short = await t.pub.call("/api/beneficiary-lists", {
      method: "POST",
      json: { kind: "exit", villageId: t.v.id, periodDays: 5, entries: [{ householdId: t.households[0] }] },
    });
    expect(short.status).toBe(400);
    const stranger = idn("37032219990909000");
    const unknown = await t.pub.call("/api/beneficiary-lists", {
      method: "POST",
      json: { kind: "exit", villageId: t.v.id, entries: [{ idNumber: PEOPLE[0].idNumber }, { idNumber: stranger }] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain("第 2 户不在户籍登记中");
    expect(unknown.text).not.toContain(stranger);
    const [{ n: before }] = await exec(sql`SELECT count(*)::int AS n FROM notices`);
    expect(before).toBe(0);

    const ok = await t.pub.call("/api/beneficiary-lists", {
      method: "POST",
      json: {
        kind: "dividend",
        villageId: t.v.id,
        entries: PEOPLE.map((p) => ({ idNumber: p.idNumber, amount: "300.00", note: "光伏收益分红" })),
      },
    });
    expect(ok.status).toBe(201);
    const list = await api(`/api/beneficiary-lists/${ok.body.listId}`);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ kind: "dividend", households: 4, total: "1200.00" });
    expect(list.body.entries.map((e: { nameMasked: string }) => e.nameMasked)).toContain("欧**红");
    const notice = await api(`/api/notices/${ok.body.noticeId}`);
    expect(notice.status).toBe(200);
    const [{ action }] = await exec(
      sql`SELECT action FROM audit_log WHERE subject_type = 'beneficiary_list' AND subject_id = ${String(ok.body.listId)}`,
    );
    expect(action).toBe("beneficiary_list.publish");
    expect((await api("/api/beneficiary-lists", { method: "POST", json: {} })).status).toBe(401);
    expect((await api("/api/beneficiary-lists/999999")).status).toBe(404);
    await leaksNothing([`/api/beneficiary-lists/${ok.body.listId}`, `/api/notices/${ok.body.noticeId}`]);
  });
});

describe("CSV imports of the money trail", () => {
  it("households (GBK): a bad row refuses the whole file with a masked row report; fixed, all rows written and audited", async () => {
    const { db } = await testDatabase();
    const pub = await staff("publisher", "city-fpb");
    const [v] = await exec(
      sql`SELECT d.name AS district, t.name AS town, v.name AS village FROM villages v JOIN towns t ON t.id = v.town_id
          JOIN districts d ON d.id = t.district_id WHERE d.name = '高青县' ORDER BY v.id LIMIT 1`,
    );
    const place = `${v.district},${v.town},${v.village}`;
    const header = "区县,镇办,村,户主姓名,身份证号码,家庭人口,状态,识别日期\n";
    const wrongCheck = `${PEOPLE[1].idNumber.slice(0, 17)}${PEOPLE[1].idNumber[17] === "1" ? "2" : "1"}`;
    const badFile =
      header +
      `${place},${PEOPLE[0].name},${PEOPLE[0].idNumber},4,建档立卡,2016-05-01\n` +
      `${place},${PEOPLE[1].name},${wrongCheck},3,建档立卡,2016-05-01\n` +
      `${place},${PEOPLE[0].name},${PEOPLE[0].idNumber},4,建档立卡,2016-05-01\n`;
    const refused = await csvUpload(pub, "households", gbk(badFile));
    expect(refused.status).toBe(400);
    const problems = refused.body.error.details.problems as { row: number; column: string; value: string | null }[];
    expect(problems.map((p) => [p.row, p.column])).toEqual([
      [3, "身份证号码"],
      [4, "身份证号码"],
    ]);
    expect(refused.text).not.toContain(wrongCheck);
    expect(refused.text).not.toContain(PEOPLE[0].idNumber);
    expect(refused.text).not.toContain(PEOPLE[0].name);
    expect(problems[0].value).toBe(`${wrongCheck.slice(0, 4)}**********${wrongCheck.slice(-4)}`);
    const [{ n: none }] = await exec(sql`SELECT count(*)::int AS n FROM households`);
    expect(none).toBe(0);

    const fixed =
      header + PEOPLE.map((p) => `${place},${p.name},${p.idNumber},3,建档立卡,2016-05-01`).join("\n") + "\n";
    const dry = await csvUpload(pub, "households", gbk(fixed), true);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ encoding: "gbk", count: 4, dryRun: true });
    const [{ n: stillNone }] = await exec(sql`SELECT count(*)::int AS n FROM households`);
    expect(stillNone).toBe(0);
    const done = await csvUpload(pub, "households", gbk(fixed));
    expect(done.status).toBe(201);
    expect(done.body).toMatchObject({ encoding: "gbk", count: 4 });
    const audits = await exec(
      sql`SELECT action, details::text AS details FROM audit_log WHERE action LIKE 'household.%'`,
    );
    expect(audits.filter((a) => a.action === "household.create")).toHaveLength(4);
    expect(audits.filter((a) => a.action === "household.import")).toHaveLength(1);
    for (const p of PEOPLE) expect(JSON.stringify(audits)).not.toContain(p.idNumber);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it("disbursements, spending and 危房改造 cases: over-allocation and unknown households refused row by row", async () => {
    const t = await trail("100000.00", "60000.00");
    const projectId = await aProject(t.pub, t.v);
    const dHeader = "资金分配编号,拨付日期,金额,凭证号,收款方类型,收款方,项目编号\n";
    const over = await csvUpload(
      t.pub,
      "disbursements",
      utf8(
        `${dHeader}${t.allocationId},2026-05-01,30000,V-1,村,${t.v.village},\n${t.allocationId},2026/5/2,10000.01,V-2,镇办,某镇,\nabc,2026-05-03,1,V-3,未知,x,\n`,
      ),
    );
    expect(over.status).toBe(400);
    const rows = (over.body.error.details.problems as { row: number; column: string | null; problem: string }[]).map(
      (p) => [p.row, p.column],
    );
    expect(rows).toEqual([
      [3, "金额"],
      [4, "资金分配编号"],
      [4, "收款方类型"],
    ]);
    expect(over.text).toContain("最多还可拨付");
    const [{ n }] = await exec(sql`SELECT count(*)::int AS n FROM disbursements`);
    expect(n).toBe(1);
    const ok = await csvUpload(
      t.pub,
      "disbursements",
      utf8(`${dHeader}${t.allocationId},2026-05-01,30000,V-1,项目,村道硬化工程,${projectId}\n`),
    );
    expect(ok.status).toBe(201);
    const disbursementId = ok.body.ids[0];

    const sHeader = "项目编号,拨付编号,收款单位,合同编号,金额,支付日期,用途,阶段\n";
    const spent = await csvUpload(
      t.pub,
      "spending",
      utf8(
        `${sHeader}${projectId},${disbursementId},高青县路桥工程有限公司,GQ-1,20000,2026-07-01,路基,组织实施\n${projectId},${disbursementId},某监理公司,GQ-2,10000.01,2026-07-02,监理,组织实施\n`,
      ),
    );
    expect(spent.status).toBe(400);
    expect(spent.body.error.details.problems).toMatchObject([{ row: 3, column: "金额" }]);
    const spentOk = await csvUpload(
      t.pub,
      "spending",
      utf8(`${sHeader}${projectId},${disbursementId},高青县路桥工程有限公司,GQ-1,20000,2026-07-01,路基,组织实施\n`),
    );
    expect(spentOk.status).toBe(201);

    const cHeader = "身份证号码,年度,鉴定等级,改造方式,补助标准,补助金额,申请日期\n";
    const stranger = idn("37032219990909000");
    const cases = await csvUpload(
      t.pub,
      "housing-cases",
      utf8(
        `${cHeader}${PEOPLE[0].idNumber},2026,D级,翻建,D级翻建每户3万元,30000,2026-03-01\n${stranger},2026,C级,修缮加固,,12000,2026-03-01\n`,
      ),
    );
    expect(cases.status).toBe(400);
    expect(cases.body.error.details.problems).toMatchObject([
      { row: 3, column: "身份证号码", problem: "户籍登记中没有这个身份证号码" },
    ]);
    expect(cases.text).not.toContain(stranger);
    const casesOk = await csvUpload(
      t.pub,
      "housing-cases",
      utf8(`${cHeader}${PEOPLE[0].idNumber},2026,D级,翻建,D级翻建每户3万元,30000,2026-03-01\n`),
    );
    expect(casesOk.status).toBe(201);
    const [c] = await exec(sql`SELECT grade, method, amount::text AS amount, stage FROM housing_cases`);
    expect(c).toEqual({ grade: "D", method: "rebuild", amount: "30000.00", stage: "applied" });

    const unknownKind = await csvUpload(t.pub, "allocations", utf8(cHeader));
    expect(unknownKind.status).toBe(400);
    const headerOnly = await csvUpload(t.pub, "spending", utf8(sHeader));
    expect(headerOnly.status).toBe(400);
    const wrongHeader = await csvUpload(t.pub, "spending", utf8("项目,金额\n1,2\n"));
    expect(wrongHeader.status).toBe(400);
    expect(expectEnvelope(wrongHeader.body).message).toBe("CSV 表头不正确");
    const anon = await api("/api/imports/spending", {
      method: "POST",
      body: sHeader,
      headers: { "content-type": "text/csv" },
    });
    expect(anon.status).toBe(401);
  });
});

describe("管护 inspections", () => {
  it("are recorded for a project with a registered asset, public, audited, with phone numbers removed", async () => {
    const t = await trail();
    const projectId = await aProject(t.pub, t.v);
    const first = await t.pub.call(`/api/projects/${projectId}/inspections`, {
      method: "POST",
      json: { inspectedOn: daysAhead(5), inspector: "镇扶贫办", condition: "good" },
    });
    expect(first.status).toBe(409);
    expect(expectEnvelope(first.body).message).toContain("先登记资产");
    for (const [i, stage] of ["approved", "implementing", "accepted"].entries()) {
      const r = await t.pub.call(`/api/projects/${projectId}/stages`, {
        method: "POST",
        json: { stage, happenedOn: daysAhead(i + 1) },
      });
      expect(r.status).toBe(201);
    }
    const asset = await t.pub.call(`/api/projects/${projectId}/asset`, {
      method: "PUT",
      json: {
        assetName: "村道",
        owner: "村集体",
        manager: "村委会",
        maintenance: "村委会负责日常管护",
        registeredOn: "2026-07-01",
      },
    });
    expect(asset.status).toBeLessThan(300);
    const bad = await t.pub.call(`/api/projects/${projectId}/inspections`, {
      method: "POST",
      json: { inspectedOn: "2026-09-01", inspector: "镇扶贫办", condition: "broken" },
    });
    expect(bad.status).toBe(400);
    const ok = await t.pub.call(`/api/projects/${projectId}/inspections`, {
      method: "POST",
      json: {
        inspectedOn: "2026-09-01",
        inspector: "镇扶贫办",
        condition: "repair",
        findings: "路面两处裂缝，已通知村委会维修，联系电话 13912345678",
      },
    });
    expect(ok.status).toBe(201);
    const anon = await api(`/api/projects/${projectId}/inspections`, {
      method: "POST",
      json: { inspectedOn: "2026-09-01", inspector: "x", condition: "good" },
    });
    expect(anon.status).toBe(401);
    const list = await api(`/api/projects/${projectId}/inspections`);
    expect(list.body.items).toMatchObject([{ inspector: "镇扶贫办", conditionLabel: "需要维修" }]);
    expect(list.text).not.toContain("13912345678");
    const [{ n }] = await exec(sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'project.inspection'`);
    expect(n).toBe(1);
    expect((await api(`/api/projects/${projectId}/inspections`, { method: "POST", json: {} })).status).toBe(401);
  });
});
