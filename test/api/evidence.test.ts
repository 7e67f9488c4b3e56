import { sql } from "drizzle-orm";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { rows } from "../../db/client";
import type { StaffPrincipal } from "../../domain/auth/principal";
import {
  EVIDENCE_PREFIX,
  fileTicketWithEvidence,
  MAX_EVIDENCE_BYTES,
  readEvidence,
  sweepOrphanEvidence,
} from "../../domain/hotline/evidence";
import { fileTicket } from "../../domain/hotline/filing";
import type { FileTicketInput } from "../../domain/hotline/input";
import { putFile, readFileBytes } from "../../storage/files";
import { staff as signIn } from "../support/console";
import { testDatabase } from "../support/db";
import { api, expectEnvelope } from "../support/http";

const db = async () => (await testDatabase()).db;

const input: FileTicketInput = {
  kind: "complaint",
  category: "housing",
  title: "危房改造补助未发放",
  description: "补助迟迟没有发放。",
  district: "高青县",
  reporter: { anonymous: true },
};

/** A JPEG whose EXIF carries a GPS position and the photographer's name. */
async function photoWithGps() {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 50, b: 50 } } })
    .jpeg()
    .withExif({
      IFD0: { Make: "TestCam", Artist: "Li Xiuying" },
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: "36/1 48/1 0/1", GPSLongitudeRef: "E", GPSLongitude: "117/1 49/1 0/1" },
    })
    .toBuffer();
}

const png = () =>
  sharp({ create: { width: 10, height: 10, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 1 } } })
    .png()
    .toBuffer();

const pdf = () =>
  Buffer.from(
    "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n" +
      "3 0 obj\n<< /Author (Wang Jianguo) /Producer (Scanner \\(v2\\)) /Title <FEFF738B5EFA56FD> >>\nendobj\n" +
      "trailer\n<< /Root 1 0 R /Info 3 0 R >>\n%%EOF\n",
    "latin1",
  );

function form(files: { bytes: Uint8Array; name: string; type?: string }[]) {
  const f = new FormData();
  for (const file of files)
    f.append("evidence", new Blob([new Uint8Array(file.bytes)], { type: file.type ?? "image/jpeg" }), file.name);
  return f;
}

function upload(number: string, receipt: string, body: FormData | string, headers: Record<string, string> = {}) {
  return api(`/api/tickets/${number}/evidence`, {
    method: "POST",
    body,
    headers: { "x-receipt": receipt, ...headers },
  });
}

// The evidence files in the file store (emptied with every other table before each test), by the random
// part of their names.
const newFiles = async () =>
  (
    await rows<{ name: string }>(
      await db(),
      sql`SELECT name FROM stored_files WHERE name LIKE 'evidence/%' ORDER BY name`,
    )
  ).map((r) => r.name.slice(EVIDENCE_PREFIX.length));
const storedBytes = async (name: string) => (await readFileBytes(await db(), EVIDENCE_PREFIX + name))!;

async function countRows(table: string) {
  const [r] = await rows<{ n: number }>(await db(), sql.raw(`SELECT count(*)::int AS n FROM ${table}`));
  return r.n;
}

describe("adding evidence with the receipt (POST /api/tickets/{number}/evidence)", () => {
  it("stores a photo outside the web root, re-encoded without EXIF/GPS, under a random name", async () => {
    const { ticket, receipt } = await fileTicket(await db(), input, { channel: "api" });
    const original = await photoWithGps();
    const exif = (await sharp(original).metadata()).exif!;
    expect(exif.includes(Buffer.from([0x25, 0x88])), "the test photo has a GPS IFD").toBe(true);
    expect(exif.toString("latin1")).toContain("Li Xiuying");

    const res = await upload(ticket.number, receipt, form([{ bytes: original, name: "IMG_0001.jpg" }]));
    expect(res.status, res.text).toBe(201);
    expect(res.body.evidence).toHaveLength(1);
    expect(res.body.evidence[0]).toMatchObject({ mediaType: "image/jpeg", width: 64, height: 48, source: "reporter" });
    expect(JSON.stringify(res.body)).not.toContain("IMG_0001");

    const files = await newFiles();
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9a-f]{48}$/);
    const stored = await storedBytes(files[0]);
    const meta = await sharp(stored).metadata();
    expect(meta.format).toBe("jpeg");
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(stored.includes(Buffer.from("Exif"))).toBe(false);
    expect(stored.includes(Buffer.from("Li Xiuying"))).toBe(false);
    expect(stored.includes(Buffer.from("TestCam"))).toBe(false);

    const [row] = await rows<{ storage_name: string; byte_size: number; sha256: string }>(
      await db(),
      sql`SELECT storage_name, byte_size, sha256 FROM ticket_evidence`,
    );
    expect(row.storage_name).toBe(files[0]);
    expect(row.byte_size).toBe(stored.length);
    const [event] = await rows<{ visibility: string; note: string }>(
      await db(),
      sql`SELECT visibility, note FROM ticket_events WHERE action = 'evidence'`,
    );
    expect(event).toEqual({ visibility: "public", note: "反映人提交了 1 个证据材料" });
  });

  it("accepts PNG and PDF by content (whatever the names), and blanks the PDF's author", async () => {
    const { ticket, receipt } = await fileTicket(await db(), input, { channel: "api" });
    const res = await upload(
      ticket.number,
      receipt,
      form([
        { bytes: await png(), name: "scan.pdf", type: "application/pdf" },
        { bytes: pdf(), name: "letter.jpg", type: "image/jpeg" },
      ]),
    );
    expect(res.status, res.text).toBe(201);
    expect(res.body.evidence.map((e: { mediaType: string }) => e.mediaType)).toEqual(["image/png", "application/pdf"]);
    const stored = await Promise.all((await newFiles()).map(storedBytes));
    const storedPdf = stored.find((b) => b.subarray(0, 5).toString() === "%PDF-")!;
    expect(storedPdf.toString("latin1")).not.toContain("Wang Jianguo");
    expect(storedPdf.toString("latin1")).not.toContain("Scanner");
    expect(storedPdf.toString("latin1")).not.toContain("738B5EFA");
  });

  it.each([
    [
      "a text file renamed .jpg",
      () => Buffer.from("这不是图片，只是改了扩展名的文本。"),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    ],
    [
      "an HTML file named .png",
      () => Buffer.from("<html><script>alert(1)</script></html>"),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    ],
    [
      "a broken JPEG (right magic bytes)",
      () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(500, 7)]),
      400,
      "VALIDATION_FAILED",
    ],
    [
      "a file over the size limit",
      () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(MAX_EVIDENCE_BYTES)]),
      413,
      "PAYLOAD_TOO_LARGE",
    ],
  ])("refuses %s with a clear 4xx and writes nothing", async (_label, bytes, status, code) => {
    const { ticket, receipt } = await fileTicket(await db(), input, { channel: "api" });
    const good = await png();
    const res = await upload(
      ticket.number,
      receipt,
      form([
        { bytes: good, name: "ok.png" },
        { bytes: bytes(), name: "photo.jpg" },
      ]),
    );
    expect(res.status, res.text).toBe(status);
    const err = expectEnvelope(res.body);
    expect(err.code).toBe(code);
    expect(err.message).toContain("第 2 个文件");
    expect(await countRows("ticket_evidence")).toBe(0);
    expect(await newFiles()).toEqual([]);
  });

  it("refuses more than 5 files at once, and more than 10 per ticket", async () => {
    const { ticket, receipt } = await fileTicket(await db(), input, { channel: "api" });
    const p = await png();
    const six = await upload(
      ticket.number,
      receipt,
      form(Array.from({ length: 6 }, (_, i) => ({ bytes: p, name: `${i}.png` }))),
    );
    expect(six.status).toBe(400);
    expect(expectEnvelope(six.body).message).toContain("最多上传 5 个");
    expect(await newFiles()).toEqual([]);
    for (let i = 0; i < 2; i++) {
      const five = await upload(
        ticket.number,
        receipt,
        form(Array.from({ length: 5 }, () => ({ bytes: p, name: "a.png" }))),
      );
      expect(five.status, five.text).toBe(201);
    }
    const eleventh = await upload(ticket.number, receipt, form([{ bytes: p, name: "a.png" }]));
    expect(eleventh.status).toBe(400);
    expect(expectEnvelope(eleventh.body).message).toContain("最多 10 个");
    expect(await countRows("ticket_evidence")).toBe(10);
    expect(await newFiles()).toHaveLength(10);
  });

  it("404 for a wrong receipt or an unknown ticket, 415 without multipart, 400 without files", async () => {
    const { ticket, receipt } = await fileTicket(await db(), input, { channel: "api" });
    const photo = await png();
    const wrong = await upload(ticket.number, "AAAA-AAAA-AAAA-AAAA-AAAA", form([{ bytes: photo, name: "a.png" }]));
    expect(wrong.status).toBe(404);
    const unknown = await upload("ZB-2026-999999", receipt, form([{ bytes: photo, name: "a.png" }]));
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual(wrong.body);
    const json = await upload(ticket.number, receipt, JSON.stringify({ evidence: "x" }), {
      "content-type": "application/json",
    });
    expect(json.status).toBe(415);
    const none = await upload(ticket.number, receipt, new FormData());
    expect(none.status).toBe(400);
    const noReceipt = await api(`/api/tickets/${ticket.number}/evidence`, { method: "POST", body: form([]) });
    expect(noReceipt.status).toBe(400);
    expect(await countRows("ticket_evidence")).toBe(0);
    expect(await newFiles()).toEqual([]);
  });

  it("409 once the ticket is finished", async () => {
    const { ticket, receipt } = await fileTicket(await db(), input, { channel: "api" });
    await rows(await db(), sql`UPDATE tickets SET status = 'closed' WHERE id = ${ticket.id}`);
    const res = await upload(ticket.number, receipt, form([{ bytes: await png(), name: "a.png" }]));
    expect(res.status).toBe(409);
    expect(await newFiles()).toEqual([]);
  });
});

describe("filing with evidence (fileTicketWithEvidence, for the /report form)", () => {
  it("a bad file means no ticket and no file; good files commit with the ticket", async () => {
    const bad = fileTicketWithEvidence(await db(), input, { channel: "web" }, [
      { name: "a.png", bytes: await png() },
      { name: "fake.jpg", bytes: Buffer.from("not an image") },
    ]);
    await expect(bad).rejects.toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE" });
    expect(await countRows("tickets")).toBe(0);
    expect(await newFiles()).toEqual([]);

    const badTicket = fileTicketWithEvidence(await db(), { ...input, district: "不存在县" }, { channel: "web" }, [
      { name: "a.png", bytes: await png() },
    ]);
    await expect(badTicket).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    expect(await newFiles()).toEqual([]);

    const ok = await fileTicketWithEvidence(await db(), input, { channel: "web" }, [
      { name: "a.jpg", bytes: await photoWithGps() },
    ]);
    expect(ok.ticket.number).toMatch(/^ZB-/);
    const [row] = await rows<{ source: string; ticket_id: number }>(
      await db(),
      sql`SELECT source, ticket_id FROM ticket_evidence`,
    );
    expect(row).toEqual({ source: "filing", ticket_id: ok.ticket.id });
    expect(await newFiles()).toHaveLength(1);
  });

  it("an idempotent replay keeps the first ticket's files only", async () => {
    const ctx = { channel: "web" as const, idempotencyKey: "form-token-0123456789abcdef" };
    const a = await fileTicketWithEvidence(await db(), input, ctx, [{ name: "a.png", bytes: await png() }]);
    const b = await fileTicketWithEvidence(await db(), input, ctx, [{ name: "a.png", bytes: await png() }]);
    expect(b.ticket.number).toBe(a.ticket.number);
    expect(await countRows("ticket_evidence")).toBe(1);
    expect(await newFiles()).toHaveLength(1);
  });
});

describe("staff download (readEvidence)", () => {
  async function staff(unitCode: string, role: StaffPrincipal["role"]): Promise<StaffPrincipal> {
    const [u] = await rows<{
      id: number;
      code: string;
      kind: string;
      name: string;
      level: string;
      district_id: number | null;
    }>(await db(), sql`SELECT id, code, kind, name, level, district_id FROM units WHERE code = ${unitCode}`);
    const [user] = await rows<{ id: number }>(
      await db(),
      sql`INSERT INTO users (username, display_name, role, unit_id) VALUES (${`u-${unitCode}-${role}`}, '测试', ${role}, ${u.id}) RETURNING id`,
    );
    return {
      userId: user.id,
      username: `u-${unitCode}-${role}`,
      displayName: "测试",
      role,
      unitId: u.id,
      unitCode: u.code,
      unitKind: u.kind,
      unitName: u.name,
      unitLevel: u.level as StaffPrincipal["unitLevel"],
      districtId: u.district_id,
    };
  }

  it("gives the file to staff in scope (audited) and the same 404 to staff outside it", async () => {
    const { ticket } = await fileTicketWithEvidence(await db(), input, { channel: "web" }, [
      { name: "a.png", bytes: await png() },
    ]);
    const [{ id }] = await rows<{ id: number }>(await db(), sql`SELECT id FROM ticket_evidence`);
    const [{ code: hotline }] = await rows<{ code: string }>(
      await db(),
      sql`SELECT code FROM units WHERE kind = 'hotline' AND level = 'city' LIMIT 1`,
    );
    const supervisor = await staff(hotline, "supervisor");
    const file = await readEvidence(await db(), supervisor, id);
    expect(file.mediaType).toBe("image/png");
    expect((await sharp(file.bytes).metadata()).width).toBe(10);
    expect(file.fileName).toBe(`${ticket.number}-evidence-${id}.png`);
    const [audit] = await rows<{ action: string; actor_id: number; subject_id: string }>(
      await db(),
      sql`SELECT action, actor_id, subject_id FROM audit_log WHERE action = 'evidence.read'`,
    );
    expect(audit).toEqual({ action: "evidence.read", actor_id: supervisor.userId, subject_id: ticket.number });

    const publisher = await staff(hotline, "publisher");
    await expect(readEvidence(await db(), publisher, id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(readEvidence(await db(), supervisor, id + 1000)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("staff download (GET /api/console/tickets/{number}/evidence/{id})", () => {
  it("streams the stored file to staff in scope, 401 without a session, 404 for another ticket's number", async () => {
    const { ticket } = await fileTicketWithEvidence(await db(), input, { channel: "web" }, [
      { name: "a.png", bytes: await png() },
    ]);
    const [{ id, byte_size }] = await rows<{ id: number; byte_size: number }>(
      await db(),
      sql`SELECT id, byte_size FROM ticket_evidence`,
    );
    const [{ code: hotline }] = await rows<{ code: string }>(
      await db(),
      sql`SELECT code FROM units WHERE kind = 'hotline' AND level = 'city' LIMIT 1`,
    );
    const admin = await signIn("supervisor", hotline);
    const res = await admin.call(`/api/console/tickets/${ticket.number}/evidence/${id}`);
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(Number(res.headers.get("content-length"))).toBe(byte_size);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect((await api(`/api/console/tickets/${ticket.number}/evidence/${id}`)).status).toBe(401);
    const other = await admin.call(`/api/console/tickets/ZB-2026-999999/evidence/${id}`);
    expect(other.status).toBe(404);
  });
});

describe("orphan sweep", () => {
  it("removes old files no row refers to, keeps recorded and recent ones", async () => {
    await fileTicketWithEvidence(await db(), input, { channel: "web" }, [{ name: "a.png", bytes: await png() }]);
    const [recorded] = await newFiles();
    const old = "a".repeat(48);
    const recent = "b".repeat(48);
    await putFile(await db(), EVIDENCE_PREFIX + old, Buffer.from("x"), "image/png");
    await putFile(await db(), EVIDENCE_PREFIX + recent, Buffer.from("y"), "image/png");
    await rows(
      await db(),
      sql`UPDATE stored_files SET created_at = now() - interval '2 hours'
          WHERE name IN (${EVIDENCE_PREFIX + old}, ${EVIDENCE_PREFIX + recorded})`,
    );
    expect(await sweepOrphanEvidence(await db())).toBe(1);
    expect((await newFiles()).sort()).toEqual([recorded, recent].sort());
  });
});
