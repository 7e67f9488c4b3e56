import { sql } from "drizzle-orm";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { getDisbursement } from "../../domain/money/disbursements";
import { amendNotice, createNotice, withdrawNotice } from "../../domain/notices/notices";
import { forgetBackfills } from "../../domain/transparency/backfill";
import { checkPublishedNotices } from "../../domain/transparency/published-records";
import { sequenceLog } from "../../domain/transparency/sequencer";
import { canonicalJson } from "../../lib/canonical-json";
import { toHex, utf8 } from "../../lib/tlog/bytes";
import { sha256 } from "../../lib/tlog/merkle";
import { exec, file, fileAnonymousComplaint, staff } from "../support/console";
import { testDatabase } from "../support/db";
import { api } from "../support/http";
import { PAYMENT_HEADER, PEOPLE, trail, upload } from "../support/money";
import { fetchJson, readLoggedRecords } from "../support/transparency";

// Published records in the transparency log: notice versions (publish, amendment, withdrawal),
// disbursement versions and payment batches (written by trigger, encoded by the sequencer), ledger
// sign-offs and the reporter's own transitions, each in the transaction of the change; records older
// than the log are logged late, once.

const hashOf = (json: unknown) => toHex(sha256(utf8(canonicalJson(json))));

/** Sequence, then every appended entry with this ref prefix, parsed, in log order. */
async function logged(prefix: string) {
  const { db } = await testDatabase();
  await sequenceLog(db);
  const list = await exec(sql`SELECT entry FROM log_entries WHERE ref LIKE ${`${prefix}%`} ORDER BY idx`);
  return list.map((r) => JSON.parse(r.entry as string));
}

const noticeInput = {
  title: "高青县2026年扶贫项目公示",
  district: "高青县",
  projectName: "道路硬化",
  content: "硬化村内道路 2 公里",
  funding: "市级财政专项扶贫资金 50 万元",
};

describe("notice versions in the log", () => {
  it("publication, amendment and withdrawal are logged with the hash the public API serves; the monitor re-derives them", async () => {
    const { db } = await testDatabase();
    const first = await createNotice(db, noticeInput, null);
    const second = await amendNotice(db, first, { funding: "市级财政专项扶贫资金 48 万元" }, "金额更正", null);
    await withdrawNotice(db, second, "项目取消", null);
    const draft = await createNotice(db, { ...noticeInput, publish: false }, null);

    const entries = await logged("notice.version:");
    expect(entries.map((e) => [e.id, e.version])).toEqual([
      [String(first), 1],
      [String(second), 1],
      [String(second), 2],
    ]);
    const detail = await api(`/api/notices/${second}`);
    expect(detail.body.versions.map((v: { kind: string }) => v.kind)).toEqual(["withdraw", "amend"]);
    expect(detail.body.versions[0]).toMatchObject({ version: 2, withdrawReason: "项目取消", amendsId: first });
    expect(entries[2].sha256).toBe(hashOf(detail.body.versions[0]));
    expect(entries[1].sha256).toBe(hashOf(detail.body.versions[1]));
    expect(entries.every((e) => e.type === "notice.version" && !("loggedLate" in e))).toBe(true);
    expect(draft).toBeGreaterThan(0);

    const index = await readLoggedRecords();
    expect(await checkPublishedNotices(fetchJson, index)).toEqual({ checked: 3, problems: [] });
    // A published notice changed behind the log's back is caught.
    await exec(sql`UPDATE notices SET content = '硬化村内道路 3 公里' WHERE id = ${first}`);
    expect((await checkPublishedNotices(fetchJson, index)).problems).toEqual([
      `notice ${first} version 1 differs from what was logged`,
    ]);
  });

  it("notices and fund versions published before the log are logged late, once", async () => {
    const { db } = await testDatabase();
    const id = await createNotice(db, noticeInput, null);
    // As if published before the log existed: no entry, no backfill done yet.
    await exec(sql`DELETE FROM log_pending WHERE ref = ${`notice.version:${id}`}`);
    await exec(sql`DELETE FROM log_backfills`);
    forgetBackfills();
    const [late] = await logged("notice.version:");
    expect(late).toMatchObject({ id: String(id), version: 1, loggedLate: expect.any(String) });
    const detail = await api(`/api/notices/${id}`);
    expect(late.sha256).toBe(hashOf(detail.body.versions[0]));
    expect(new Date(late.loggedLate).getTime()).toBeGreaterThanOrEqual(new Date(late.time).getTime());
    const marks = await exec(sql`SELECT kind, entries FROM log_backfills ORDER BY kind`);
    expect(marks).toEqual([
      { kind: "fund.version", entries: 0 },
      { kind: "notice.version", entries: 1 },
    ]);
    // Another sequencer run (or process) logs nothing twice.
    forgetBackfills();
    await withdrawNotice(db, id, "撤回", null);
    expect((await logged("notice.version:")).map((e) => e.version)).toEqual([1, 2]);
  });
});

describe("money records in the log", () => {
  it("disbursement versions and a payment batch are logged by trigger with the hash of their public JSON", async () => {
    const { db } = await testDatabase();
    const { pub, disbursementId } = await trail("100000.00", "10000.00");
    const withdrawn = await pub.call(`/api/disbursements/${disbursementId}/corrections`, {
      method: "POST",
      json: { amount: "9000.00", reason: "凭证金额更正" },
    });
    expect(withdrawn.status, withdrawn.text).toBe(201);
    const line = (p: { idNumber: string; name: string }) =>
      `${p.idNumber},${p.name},${disbursementId},危房改造补助,2026,1000.00,2026-06-01,已发放,`;
    const imported = await upload(
      pub,
      iconv.encode([PAYMENT_HEADER, line(PEOPLE[0]), line(PEOPLE[1])].join("\r\n"), "gbk"),
    );
    expect(imported.status, imported.text).toBe(201);

    const versions = await logged("disbursement.version:");
    expect(versions.map((e) => [e.id, e.version])).toEqual([
      [String(disbursementId), 1],
      [String(disbursementId), 2],
    ]);
    const d = await getDisbursement(db, disbursementId);
    for (const v of d.versions) {
      expect(versions.find((e) => e.version === v.version)?.sha256).toBe(hashOf(JSON.parse(JSON.stringify(v))));
    }
    const [batch] = await logged("household_payment.batch:");
    const answer = imported.body as { batchId: number; count: number; encoding: string; total: string };
    expect(batch).toMatchObject({ type: "household_payment.batch", id: String(answer.batchId), version: 1 });
    expect(batch.sha256).toBe(
      hashOf({ batchId: answer.batchId, count: answer.count, encoding: answer.encoding, total: answer.total }),
    );
    // Single household payments are not logged (the register is not public).
    expect(await exec(sql`SELECT 1 FROM log_entries WHERE ref LIKE 'household_payment:%'`)).toHaveLength(0);
  });
});

describe("ledger sign-offs and reporter transitions in the log", () => {
  it("a sign-off is logged with its round; no person or note in the entry", async () => {
    const city = await staff("supervisor", "city-hotline");
    const handler = await staff("handler", "gaoqing-housing");
    const { ticket } = await file();
    await exec(
      sql`UPDATE tickets SET status = 'dispatched', accepted_at = now(), dispatched_at = now() WHERE id = ${ticket.id}`,
    );
    const created = await city.call("/api/ledger", {
      method: "POST",
      json: {
        source: "ticket",
        ticketNumber: ticket.number,
        description: "补助未发放",
        measures: "发放到户",
        deadline: "2026-06-10",
      },
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as number;
    expect(
      (await handler.call(`/api/ledger/${id}/evidence`, { method: "POST", json: { body: "已发放" } })).status,
    ).toBe(200);
    const signed = await city.call(`/api/ledger/${id}/sign-off`, {
      method: "POST",
      json: { note: "经核查已整改到位" },
    });
    expect(signed.status).toBe(200);
    const [entry] = await logged("ledger.sign_off:");
    expect(entry).toMatchObject({ type: "ledger.sign_off", id: signed.body.number, version: 1 });
    const { ledgerSignOffRecord } = await import("../../domain/ledger/entries");
    expect(entry.sha256).toBe(hashOf(ledgerSignOffRecord(signed.body)));
    expect(JSON.stringify(ledgerSignOffRecord(signed.body))).not.toContain("经核查");
  });

  it("the reporter's rating and 重办 request are logged as transitions without a unit", async () => {
    const filed = await fileAnonymousComplaint();
    expect(filed.status, filed.text).toBe(201);
    const n = filed.body.number as string;
    const h = { "X-Receipt": filed.body.receipt };
    await exec(
      sql`UPDATE tickets SET status = 'replied', replied_at = now(), review_due_on = (now() + interval '30 days')::date WHERE number = ${n}`,
    );
    expect(
      (await api(`/api/tickets/${n}/rating`, { method: "POST", headers: h, json: { rating: "dissatisfied" } })).status,
    ).toBe(200);
    expect(
      (await api(`/api/tickets/${n}/reopen`, { method: "POST", headers: h, json: { reason: "金额不对" } })).status,
    ).toBe(200);
    const entries = await logged(`ticket.transition:${n}`);
    expect(entries.map((e) => [e.action, e.from, e.to, e.unit])).toEqual([
      ["rate", "replied", "rated", null],
      ["request_reopen", "rated", "reopened", null],
    ]);
    expect(JSON.stringify(entries)).not.toContain("金额不对");
  });
});
