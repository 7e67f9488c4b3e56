import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { checkOwnSubsidies } from "../../domain/money/check";
import { DEMO_HOUSEHOLDS, seedMoneyDemo } from "../../seed/money";
import { exec } from "../support/console";
import { testDatabase } from "../support/db";

// The money trail's demo data: loads once (a second run changes nothing) and its households can check
// their own payments.
describe("money demo data", () => {
  it("seeds a village's trail idempotently", async () => {
    const { db } = await testDatabase();
    await seedMoneyDemo(db);
    await seedMoneyDemo(db);
    const [c] = await exec(
      sql`SELECT (SELECT count(*)::int FROM households) AS households, (SELECT count(*)::int FROM household_payments) AS payments,
            (SELECT count(*)::int FROM disbursements) AS disbursements, (SELECT count(*)::int FROM beneficiary_lists) AS lists`,
    );
    expect(c).toEqual({ households: 8, payments: 12, disbursements: 2, lists: 1 });
    const own = await checkOwnSubsidies(db, DEMO_HOUSEHOLDS[0], { address: "127.0.0.1" });
    expect(own.payments.map((p) => p.programme).sort()).toEqual(["dividend", "housing"]);
    expect(own.cases[0].stage).toBe("拨付");
  });
});
