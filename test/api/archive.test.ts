import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import sharp from "sharp";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../../db/client";
import { removeImage, renditionFile } from "../../domain/archive/images";
import { getItem } from "../../domain/archive/items";
import { ensureFoundingDocument, FOUNDING_SLUG } from "../../domain/policies/policies";
import { readFileBytes } from "../../storage/files";
import { honourEntry } from "../support/archive";
import { staff } from "../support/console";
import { testDatabase } from "../support/db";
import { api, expectEnvelope } from "../support/http";

/** A policy's section as GET /api/policies/{slug} answers it. */
interface PolicySection {
  heading: string;
  measures: { number: number; anchor: string; url: string; title: string; leadUnits: string[] }[];
}

// Uploads go under DATA_DIR; keep the test's files out of the working tree (unless another test file
// in this worker already read the configuration: then the files are removed after each test).
process.env.DATA_DIR = mkdtempSync(path.join(tmpdir(), "sunshine-archive-test-"));
afterEach(async () => {
  const { db } = await testDatabase();
  const keys = await rows<{ key: string; collection: "photos" | "honors" }>(
    db,
    sql`SELECT file_key AS key, 'photos' AS collection FROM archive_items
        UNION ALL SELECT photo_key, 'honors' FROM honors WHERE photo_key IS NOT NULL`,
  );
  for (const k of keys) await removeImage(k.collection, k.key);
});

/** A JPEG carrying EXIF with a GPS block (camera make/model too). */
async function jpegWithGps(width = 1200, height = 800) {
  return sharp({ create: { width, height, channels: 3, background: "#4a7" } })
    .jpeg()
    .withExif({
      IFD0: { Make: "TestCam", Model: "T1" },
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: "36/1 48/1 30/1", GPSLongitudeRef: "E", GPSLongitude: "118/1 3/1 0/1" },
    })
    .toBuffer();
}

const hasGpsPointer = (exif: Buffer | undefined) =>
  !!exif && (exif.includes(Buffer.from([0x88, 0x25])) || exif.includes(Buffer.from([0x25, 0x88])));

function submission(fields: Record<string, string>, file?: { bytes: Uint8Array; name: string; type: string }) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  if (file) form.set("photo", new File([file.bytes as Uint8Array<ArrayBuffer>], file.name, { type: file.type }));
  return api("/api/archive/items", { method: "POST", body: form });
}

const goodFields = {
  title: "村里的新路",
  description: "硬化后的村路",
  place: "高青县黑里寨镇",
  district: "高青县",
  takenOn: "2020-05-01",
  creator: "张三",
  consent: "on",
};

describe("policy documents", () => {
  beforeAll(async () => {
    const { db } = await testDatabase();
    await ensureFoundingDocument(db);
  });

  it("publishes the founding document as structured measures 1–26 with lead units", async () => {
    const { db } = await testDatabase();
    await ensureFoundingDocument(db);
    const list = await api("/api/policies");
    expect(list.status).toBe(200);
    expect(list.body[0].slug).toBe(FOUNDING_SLUG);
    const r = await api(`/api/policies/${FOUNDING_SLUG}`);
    expect(r.status).toBe(200);
    expect(r.body.title).toBe("中共淄博市委 淄博市人民政府关于打赢脱贫攻坚战三年行动的实施意见");
    expect(r.body.sections.map((s: PolicySection) => s.heading)).toEqual([
      "一、总体要求",
      "二、重点任务措施",
      "三、加强对脱贫攻坚工作的领导",
    ]);
    const measures: PolicySection["measures"] = r.body.sections.flatMap((s: PolicySection) => s.measures);
    expect(measures.map((m) => m.number)).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));
    const m10 = measures[9];
    expect(m10).toMatchObject({
      anchor: "m10",
      url: `/policies/${FOUNDING_SLUG}#m10`,
      leadUnits: ["市住房城乡建设局"],
    });
    expect(m10.title).toBe("加快实施农村危房改造，保障贫困人口住房安全");
    // 分别牵头: each listed department leads its part.
    expect(measures[12].leadUnits).toContain("国网淄博供电公司");
    // Extraction damage repaired.
    const text = JSON.stringify(r.body);
    expect(text).toContain("鲁发〔2018〕37号");
    expect(text).not.toContain("201837");
  });

  it("lets a publisher add a Markdown document and renders <script> harmless", async () => {
    const anon = await api("/api/policies", { method: "POST", json: { title: "x" } });
    expect(anon.status).toBe(401);
    const pub = await staff("publisher", "city-fpb");
    const bad = await pub.call("/api/policies", {
      method: "POST",
      json: { title: "", issuer: "市扶贫办", issuedOn: "2019-13-01", body: "x" },
    });
    expect(bad.status).toBe(400);
    expect(expectEnvelope(bad.body).details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: "title", message: "请填写文件标题" })]),
    );
    const r = await pub.call("/api/policies", {
      method: "POST",
      json: {
        title: "关于测试的通知",
        issuer: "淄博市扶贫开发领导小组办公室",
        docNumber: "淄扶贫办字〔2019〕1号",
        issuedOn: "2019-04-01",
        slug: "test-notice",
        body: '# 标题\n\n<script>alert("x")</script>\n\n正文 <img src=x onerror="alert(1)"> [链接](javascript:alert(1))',
      },
    });
    expect(r.status).toBe(201);
    const doc = await api("/api/policies/test-notice");
    expect(doc.body.html).toContain("<h2>标题</h2>");
    expect(doc.body.html).not.toMatch(/<script|onerror|javascript:|<img/i);
    const dup = await pub.call("/api/policies", {
      method: "POST",
      json: { title: "重复", issuer: "市扶贫办", issuedOn: "2019-04-01", slug: "test-notice", body: "x" },
    });
    expect(dup.status).toBe(409);
  });
});

describe("photo submissions", () => {
  it("accepts a photo with GPS, strips all metadata, keeps it private until a publisher approves it", async () => {
    const original = await jpegWithGps();
    expect(hasGpsPointer((await sharp(original).metadata()).exif)).toBe(true);
    const r = await submission(goodFields, { bytes: original, name: "IMG_0001.jpg", type: "image/jpeg" });
    expect(r.status).toBe(201);
    expect(r.body.status).toBe("pending");
    const id = r.body.id as number;

    // Not public while pending.
    expect((await api(`/api/archive/items/${id}`)).status).toBe(404);
    expect((await api("/api/archive/items")).body.total).toBe(0);

    const pub = await staff("publisher", "city-fpb");
    const queue = await pub.call("/api/archive/moderation");
    expect(queue.body.map((i: { id: number }) => i.id)).toEqual([id]);
    const approve = await pub.call(`/api/archive/items/${id}/approve`, { method: "POST" });
    expect(approve.status).toBe(200);
    expect(approve.body.status).toBe("approved");

    const ld = await api(`/api/archive/items/${id}`);
    expect(ld.status).toBe(200);
    expect(ld.headers.get("content-type")).toContain("application/ld+json");
    expect(ld.body).toMatchObject({
      "@type": "Photograph",
      name: "村里的新路",
      creator: { name: "张三" },
      dateCreated: "2020-05-01",
      "dcterms:creator": "张三",
      "dcterms:coverage": "高青县黑里寨镇",
      "dcterms:type": { "@id": "dcmitype:StillImage" },
    });
    expect(ld.body["dcterms:rights"]).toContain("张三");

    // Every rendition exists and has no EXIF at all.
    const { db } = await testDatabase();
    const item = await getItem(db, id);
    expect(item.sizes).toEqual([480, 960, 1200]);
    for (const w of item.sizes) {
      for (const ext of ["webp", "jpg"]) {
        const file = renditionFile("photos", item.fileKey, `${w}.${ext}`, item.sizes)!;
        const bytes = (await readFileBytes(db, file.name))!;
        const meta = await sharp(bytes).metadata();
        expect(meta.exif).toBeUndefined();
        expect(meta.width).toBe(w);
        expect(bytes.includes(Buffer.from("TestCam"))).toBe(false);
      }
    }
    // The audit log records the decision.
    const again = await pub.call(`/api/archive/items/${id}/approve`, { method: "POST" });
    expect(again.status).toBe(409);
  });

  it("refuses a non-image renamed .jpg by its content (415) with a clear message", async () => {
    const r = await submission(goodFields, {
      bytes: new TextEncoder().encode("MZ this is not a picture at all"),
      name: "photo.jpg",
      type: "image/jpeg",
    });
    expect(r.status).toBe(415);
    expect(expectEnvelope(r.body).message).toContain("不是 JPEG、PNG 或 WebP");
  });

  it("refuses a 40 MB upload with 413 and the limit in the message", async () => {
    const big = new Uint8Array(40 * 1024 * 1024);
    big.set([0xff, 0xd8, 0xff, 0xe0]);
    const r = await submission(goodFields, { bytes: big, name: "big.jpg", type: "image/jpeg" });
    expect(r.status).toBe(413);
    expect(expectEnvelope(r.body).message).toMatch(/上限/);
  });

  it("refuses a submission without consent, naming the field", async () => {
    const { consent: _c, ...noConsent } = goodFields;
    const r = await submission(noConsent, { bytes: await jpegWithGps(400, 300), name: "a.jpg", type: "image/jpeg" });
    expect(r.status).toBe(400);
    expect(expectEnvelope(r.body).details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "consent", message: expect.stringContaining("同意公开") }),
      ]),
    );
  });

  it("refuses an unknown district and a missing file", async () => {
    const r = await submission(
      { ...goodFields, district: "火星区" },
      { bytes: await jpegWithGps(400, 300), name: "a.jpg", type: "image/jpeg" },
    );
    expect(r.status).toBe(400);
    expect(expectEnvelope(r.body).message).toContain("未知的区县");
    const none = await submission(goodFields);
    expect(none.status).toBe(400);
    expect(expectEnvelope(none.body).message).toContain("请选择要上传的照片");
  });

  it("needs a reason to reject, and rejected items stay private", async () => {
    const r = await submission(goodFields, { bytes: await jpegWithGps(600, 400), name: "a.png", type: "image/png" });
    const pub = await staff("publisher", "city-fpb");
    const noReason = await pub.call(`/api/archive/items/${r.body.id}/reject`, {
      method: "POST",
      json: { reason: " " },
    });
    expect(noReason.status).toBe(400);
    const ok = await pub.call(`/api/archive/items/${r.body.id}/reject`, {
      method: "POST",
      json: { reason: "与主题无关" },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: "rejected", rejectReason: "与主题无关" });
    expect((await api(`/api/archive/items/${r.body.id}`)).status).toBe(404);
    const op = await staff("operator", "city-hotline");
    expect((await op.call("/api/archive/moderation")).status).toBe(403);
  });
});

describe("honour roll", () => {
  it("validates the district and filters by year, district and kind", async () => {
    const pub = await staff("publisher", "city-fpb");
    const entry = honourEntry;
    const unknown = await pub.call("/api/honors", { method: "POST", json: { ...entry, district: "火星区" } });
    expect(unknown.status).toBe(400);
    expect(expectEnvelope(unknown.body).message).toContain("未知的区县：“火星区”");
    const badKind = await pub.call("/api/honors", { method: "POST", json: { ...entry, kind: "hero" } });
    expect(badKind.status).toBe(400);
    const a = await pub.call("/api/honors", { method: "POST", json: entry });
    expect(a.status).toBe(201);
    await pub.call("/api/honors", {
      method: "POST",
      json: { ...entry, year: 2020, kind: "collective", name: "测试集体", district: "高青县" },
    });
    expect((await api("/api/honors?year=2019")).body.map((h: { name: string }) => h.name)).toEqual(["测试个人"]);
    expect(
      (await api(`/api/honors?district=${encodeURIComponent("高青县")}`)).body.map((h: { name: string }) => h.name),
    ).toEqual(["测试集体"]);
    expect((await api("/api/honors?kind=collective")).body).toHaveLength(1);
    expect((await api(`/api/honors/${a.body.id}`)).body).toMatchObject({ kindLabel: "先进个人", district: "沂源县" });
    const photo = new FormData();
    photo.set("photo", new File([await jpegWithGps(800, 1000)], "p.jpg", { type: "image/jpeg" }));
    const withPhoto = await pub.call(`/api/honors/${a.body.id}/photo`, { method: "PUT", body: photo });
    expect(withPhoto.status).toBe(200);
    expect(withPhoto.body.photo.images.map((i: { width: number }) => i.width)).toEqual([480, 800]);
    expect((await api(`/api/honors/${a.body.id}`, { method: "DELETE" })).status).toBe(401);
    expect((await pub.call(`/api/honors/${a.body.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await api(`/api/honors/${a.body.id}`)).status).toBe(404);
  });
});
