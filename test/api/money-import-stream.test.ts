import { sql } from "drizzle-orm";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { checkPaymentImport, importHouseholdPayments } from "../../domain/money/payment-import";
import { exec } from "../support/console";
import { testDatabase } from "../support/db";
import { PAYMENT_HEADER, PEOPLE, trail, upload } from "../support/money";

// The payment import streams a file in parts of 2,000 rows inside one transaction: rows in a later
// part are still checked against the earlier parts (a household paid twice, a disbursement exceeded),
// any problem anywhere writes nothing, and a clean multi-part file is written whole.

const ROWS = 2600;

function bigFile(disbursementId: number, extra: string[] = []) {
  const lines = [PAYMENT_HEADER];
  for (let i = 0; i < ROWS; i++) {
    const p = PEOPLE[i % PEOPLE.length];
    lines.push(
      `${p.idNumber},${p.name},${disbursementId},教育资助,2026-第${Math.floor(i / 4) + 1}期,1.00,2026-06-01,已发放,`,
    );
  }
  return [...lines, ...extra].join("\r\n");
}

describe("streaming household-payment import", () => {
  it("checks later parts against earlier ones; a problem anywhere writes nothing; a clean file is written whole", async () => {
    const { db } = await testDatabase();
    const { pub, disbursementId } = await trail("100000.00", "3000.00");
    const p0 = PEOPLE[0];
    const bad = bigFile(disbursementId, [
      // row ROWS + 2: the same household, programme and period as row 2, two parts earlier
      `${p0.idNumber},${p0.name},${disbursementId},教育资助,2026-第1期,1.00,2026-06-01,已发放,`,
      // row ROWS + 3: takes the disbursement over its 3,000.00 (2,600.00 already used by the rows above)
      `${p0.idNumber},${p0.name},${disbursementId},教育资助,2026-末期,400.01,2026-06-01,已发放,`,
    ]);
    const r = await upload(pub, iconv.encode(bad, "gbk"));
    expect(r.status, r.text).toBe(400);
    expect(r.body.error.details.rowCount).toBe(ROWS + 2);
    const problems = r.body.error.details.problems as { row: number; column: string; problem: string }[];
    expect(problems.map((p) => [p.row, p.column])).toEqual([
      [ROWS + 2, "期次"],
      [ROWS + 3, "金额"],
    ]);
    expect(problems[0].problem).toContain("重复");
    expect(problems[1].problem).toContain("超出拨付金额");
    expect((await exec(sql`SELECT count(*)::int AS n FROM household_payments`))[0].n).toBe(0);
    expect((await exec(sql`SELECT count(*)::int AS n FROM household_payment_batches`))[0].n).toBe(0);

    // the dry run reports the same, and a clean file passes it without writing
    await expect(checkPaymentImport(db, new TextEncoder().encode(bad))).rejects.toMatchObject({
      details: { problemCount: 2 },
    });
    const good = new TextEncoder().encode(`\uFEFF${bigFile(disbursementId)}`);
    const dry = await checkPaymentImport(db, good);
    expect(dry).toMatchObject({ encoding: "utf-8", count: ROWS, total: "2600.00" });
    expect(dry.file.records).toHaveLength(20);
    expect((await exec(sql`SELECT count(*)::int AS n FROM household_payments`))[0].n).toBe(0);

    const ok = await importHouseholdPayments(db, good, { fileName: "分期发放.csv", actorId: pub.id });
    expect(ok).toMatchObject({ encoding: "utf-8", count: ROWS, total: "2600.00" });
    const [batch] = await exec(
      sql`SELECT row_count, total::text AS total, (SELECT count(*)::int FROM household_payments WHERE batch_id = b.id) AS n
          FROM household_payment_batches b WHERE id = ${ok.batchId}`,
    );
    expect(batch).toMatchObject({ row_count: ROWS, total: "2600.00", n: ROWS });
  });

  it("keeps the row report bounded: the first 1,000 problems, all of them counted", async () => {
    const { db } = await testDatabase();
    const { pub } = await trail("100000.00", "3000.00");
    const lines = [PAYMENT_HEADER];
    for (let i = 0; i < 2500; i++)
      lines.push(`${PEOPLE[0].idNumber},${PEOPLE[0].name},999999,教育资助,2026,1.00,2026-06-01,已发放,`);
    const err = await importHouseholdPayments(db, new TextEncoder().encode(lines.join("\n")), {
      fileName: "x.csv",
      actorId: pub.id,
    }).catch((e) => e);
    expect(err.details.problemCount).toBe(2500);
    expect(err.details.problems).toHaveLength(1000);
    expect(err.details.problems[0].row).toBe(2);
  });
});
