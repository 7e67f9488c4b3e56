import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { verifyAuditChain } from "../../domain/audit/audit-log";
import { correctAllocation, withdrawAllocation } from "../../domain/funds/allocations";
import { importAllocations, parseImportFile, validateImport } from "../../domain/funds/import";
import { amendNotice, createNotice, getNotice, withdrawNotice } from "../../domain/notices/notices";
import { exec, staff } from "../support/console";
import { testDatabase } from "../support/db";

// The publisher's flows as the /console/publish pages run them (the domain functions):
// the check before committing writes nothing; every committed action leaves an audit record.

const HEADER = "年度,资金级次,资金名称,文号,区县,镇办,村,项目,类别,金额,用途";
const row = (n: number, amount: string) =>
  `2026,市,发布工具测试资金,淄财农〔2026〕8${n}号,高青县,,,,产业扶贫,${amount},扶贫车间`;
const csv = (...rows: string[]) => new TextEncoder().encode([HEADER, ...rows].join("\r\n"));
const count = async (table: string) => (await exec(sql.raw(`SELECT count(*)::int AS n FROM ${table}`)))[0].n as number;

describe("publisher flows", () => {
  it("fund CSV: the check reports the bad row and writes nothing; the fixed file commits, audited", async () => {
    const { db } = await testDatabase();
    const pub = await staff("publisher", "city-fpb");
    const bad = parseImportFile(csv(row(1, "100.00"), row(2, "一百"), row(3, "5.50")));
    const err = await validateImport(db, bad).catch((e) => e);
    expect(err.status).toBe(400);
    expect(err.details.problems).toEqual([expect.objectContaining({ row: 3, column: "金额", value: "一百" })]);
    expect(await count("fund_allocations")).toBe(0);
    expect(await count("fund_import_batches")).toBe(0);
    expect(await exec(sql`SELECT 1 FROM audit_log WHERE action NOT LIKE 'auth.%'`)).toHaveLength(0);

    const good = csv(row(1, "100.00"), row(2, "200.00"), row(3, "5.50"));
    const dry = await validateImport(db, parseImportFile(good));
    expect(dry.total).toBe("305.50");
    expect(await count("fund_allocations")).toBe(0);
    const r = await importAllocations(db, good, { fileName: "x.csv", actorId: pub.id });
    expect(r).toMatchObject({ count: 3, total: "305.50" });
    const [a] = await exec(sql`SELECT action, actor_id FROM audit_log WHERE action = 'fund.import'`);
    expect(a.actor_id).toBe(pub.id);

    // Correction and withdrawal keep the reason in the public version history, audited.
    await correctAllocation(db, r.ids[0], { amount: "150.00" }, "按批复文件更正金额", pub.id);
    await withdrawAllocation(db, r.ids[1], "重复录入", pub.id);
    const versions = await exec(
      sql`SELECT kind, reason FROM fund_allocation_versions WHERE reason IS NOT NULL ORDER BY allocation_id, version`,
    );
    expect(versions).toEqual([
      { kind: "correction", reason: "按批复文件更正金额" },
      { kind: "withdrawal", reason: "重复录入" },
    ]);
    const actions = (await exec(sql`SELECT action FROM audit_log WHERE action NOT LIKE 'auth.%' ORDER BY id`)).map(
      (x) => x.action,
    );
    expect(actions).toEqual(["fund.import", "fund.correct", "fund.withdraw"]);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it("notices: create, amend with a public reason (original marked), withdraw — each audited", async () => {
    const { db } = await testDatabase();
    const pub = await staff("publisher", "city-fpb");
    const id = await createNotice(db, { title: "扶贫车间项目公示", district: "高青县", funding: "50 万元" }, pub.id);
    const newId = await amendNotice(db, id, { funding: "45 万元" }, "按批复更正资金规模", pub.id);
    const original = await getNotice(db, id);
    expect(original).toMatchObject({ state: "amended", supersededById: newId });
    const amended = await getNotice(db, newId);
    expect(amended).toMatchObject({ amendsId: id, amendReason: "按批复更正资金规模" });
    expect(amended.fields.funding).toBe("45 万元");
    await withdrawNotice(db, newId, "项目取消", pub.id);
    expect((await getNotice(db, newId)).withdrawReason).toBe("项目取消");
    const actions = (
      await exec(sql`SELECT action, actor_id FROM audit_log WHERE action NOT LIKE 'auth.%' ORDER BY id`)
    ).map((x) => [x.action, x.actor_id]);
    expect(actions).toEqual([
      ["notice.publish", pub.id],
      ["notice.amend", pub.id],
      ["notice.withdraw", pub.id],
    ]);
  });
});
