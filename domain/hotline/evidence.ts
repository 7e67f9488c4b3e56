import { createHash, randomBytes } from "node:crypto";
import { asc, count, eq, inArray, sql } from "drizzle-orm";
import sharp from "sharp";
import { type Db, rows } from "../../db/client";
import { ticketEvidence, tickets } from "../../db/schema";
import type { SqlRow } from "../../db/sql-row";
import { AppError } from "../../lib/errors";
import { maxImagePixels, maxImagePixelsLabel, withDecodeSlot } from "../../lib/image-decode";
import { log } from "../../lib/log";
import { type MediaType, sniffMediaType } from "../../lib/media-type";
import { stripPdfMetadata, UnreadablePdfError } from "../../lib/pdf-metadata";
import { deleteFiles, listFiles, type OpenedFile, openFile, putFile } from "../../storage/files";
import { ticketScope } from "../access/ticket-scope";
import { appendAudit } from "../audit/audit-log";
import type { StaffPrincipal } from "../auth/principal";
import { chargeSubmission, type SubmissionClient } from "../throttle/submission-limits";
import { type FileContext, type FileResult, fileTicket } from "./filing";
import { type FileTicketInput, FileTicketInput as FileTicketInputSchema } from "./input";
import { assertTransition, isTicketStatus } from "./lifecycle";

// Evidence files (证据材料) a reporter attaches to a ticket: photos and PDF scans.
//
// - The type is decided by the file's content (magic bytes), never by its name or declared type, and an
//   image must also decode: a renamed text file or a truncated photo is refused.
// - Images are decoded and re-encoded by sharp without any metadata: EXIF (GPS position, camera serial,
//   time), XMP and IPTC are dropped (the orientation is applied to the pixels first). A photo's GPS tag
//   can lead straight to a reporter's house.
// - PDFs are parsed (compressed object streams included) and written anew without their
//   document-information dictionary (Author, Creator, Producer, Title, …) and XMP metadata streams
//   (lib/pdf-metadata.ts). An encrypted or unparseable PDF is refused.
// - Files are stored (storage/files.ts: in the database by default, so every node serves them) under
//   random names "evidence/<48 hex>"; nothing serves them publicly. Staff read them through
//   openEvidence() (GET /api/console/tickets/{number}/evidence/{id}), which applies the console's
//   ticket scope, writes an audit record and streams the file.
// - Nothing is written until every file of a submission passed: prepareEvidence() does all checks in
//   memory, then stageEvidence() writes the files, and the caller's transaction inserts the rows; if
//   that transaction fails the staged files are deleted (withEvidence()).

export const MAX_EVIDENCE_FILES = 5;
export const MAX_EVIDENCE_BYTES = 10 * 1024 * 1024;
/** Across all submissions for one ticket (filing + later additions). */
export const MAX_EVIDENCE_PER_TICKET = 10;

/** Evidence may be any type lib/media-type.ts knows: JPEG, PNG, WebP or PDF. */
export type EvidenceType = MediaType;

export interface EvidenceUpload {
  /** The name the client gave (only for error messages; never stored: names can carry personal data). */
  name?: string;
  bytes: Uint8Array;
}

export interface PreparedEvidence {
  mediaType: EvidenceType;
  bytes: Buffer;
  sha256: string;
  width: number | null;
  height: number | null;
}

function label(upload: EvidenceUpload, index: number) {
  const name = [...(upload.name ?? "")]
    .filter((ch) => ch >= " ")
    .slice(0, 80)
    .join("");
  return name ? `第 ${index + 1} 个文件（${name}）` : `第 ${index + 1} 个文件`;
}

/**
 * The files of a form's "evidence" parts (API route and the /report page; empty parts — a file input
 * left empty — are skipped). Counts before reading any bytes into memory.
 */
export async function uploadsFromForm(form: FormData): Promise<EvidenceUpload[]> {
  const files = form.getAll("evidence").filter((v): v is File => typeof v !== "string" && v.size > 0);
  if (files.length > MAX_EVIDENCE_FILES) {
    throw new AppError("VALIDATION_FAILED", `证据材料一次最多上传 ${MAX_EVIDENCE_FILES} 个文件`, [
      { path: "evidence", message: `最多 ${MAX_EVIDENCE_FILES} 个文件，收到 ${files.length} 个` },
    ]);
  }
  return Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
}

/** Is this error about the evidence files (details path "evidence…")? For forms to place the message. */
export function isEvidenceError(err: unknown): boolean {
  return (
    err instanceof AppError &&
    Array.isArray(err.details) &&
    (err.details as { path?: string }[]).some((d) => d.path?.startsWith("evidence"))
  );
}

/**
 * Check and clean every file of one submission, in memory. Throws a 4xx AppError naming the file:
 * too many files (400), too large (413), not an image/PDF by content (415), unreadable (400).
 */
export async function prepareEvidence(uploads: EvidenceUpload[], alreadyAttached = 0): Promise<PreparedEvidence[]> {
  if (uploads.length > MAX_EVIDENCE_FILES) {
    throw new AppError("VALIDATION_FAILED", `证据材料一次最多上传 ${MAX_EVIDENCE_FILES} 个文件`, [
      { path: "evidence", message: `最多 ${MAX_EVIDENCE_FILES} 个文件，收到 ${uploads.length} 个` },
    ]);
  }
  if (alreadyAttached + uploads.length > MAX_EVIDENCE_PER_TICKET) {
    throw new AppError("VALIDATION_FAILED", `每件工单最多 ${MAX_EVIDENCE_PER_TICKET} 个证据材料`, [
      {
        path: "evidence",
        message: `已有 ${alreadyAttached} 个，最多还能上传 ${MAX_EVIDENCE_PER_TICKET - alreadyAttached} 个`,
      },
    ]);
  }
  // Cheap checks for every file first, so the person hears about all of them before any decoding.
  uploads.forEach((u, i) => {
    if (u.bytes.length === 0) {
      throw new AppError("VALIDATION_FAILED", `${label(u, i)}是空文件`, [{ path: `evidence.${i}`, message: "空文件" }]);
    }
    if (u.bytes.length > MAX_EVIDENCE_BYTES) {
      throw new AppError("PAYLOAD_TOO_LARGE", `${label(u, i)}超过 ${MAX_EVIDENCE_BYTES / 1024 / 1024} MB 的上限`, [
        { path: `evidence.${i}`, message: `文件过大（上限 ${MAX_EVIDENCE_BYTES / 1024 / 1024} MB）` },
      ]);
    }
    if (!sniffMediaType(u.bytes)) {
      throw new AppError(
        "UNSUPPORTED_MEDIA_TYPE",
        `${label(u, i)}不是 JPEG、PNG、WebP 图片或 PDF 文件（按文件内容判断，与文件名无关）`,
        [{ path: `evidence.${i}`, message: "只接受 JPEG、PNG、WebP 图片和 PDF 文件" }],
      );
    }
  });
  const out: PreparedEvidence[] = [];
  for (const [i, u] of uploads.entries()) {
    const type = sniffMediaType(u.bytes)!;
    const cleaned = type === "application/pdf" ? await scrubPdf(u, i) : await reencodeImage(u, i, type);
    out.push({
      mediaType: type,
      bytes: cleaned.bytes,
      sha256: createHash("sha256").update(cleaned.bytes).digest("hex"),
      width: cleaned.width,
      height: cleaned.height,
    });
  }
  return out;
}

async function reencodeImage(u: EvidenceUpload, i: number, type: EvidenceType) {
  // Decompression-bomb guard: the header says how many pixels decoding would take; refuse above the
  // cap before decoding anything.
  const limit = maxImagePixels();
  const meta = await sharp(u.bytes, { limitInputPixels: false })
    .metadata()
    .catch(() => null);
  if (meta?.width && meta.height && meta.width * meta.height > limit) {
    throw new AppError(
      "VALIDATION_FAILED",
      `${label(u, i)}像素过多（${meta.width}×${meta.height}，上限 ${maxImagePixelsLabel()} 像素），请缩小后再上传`,
      [{ path: `evidence.${i}`, message: "图片像素过多" }],
    );
  }
  return withDecodeSlot(() => decodeImage(u, i, type, limit));
}

async function decodeImage(u: EvidenceUpload, i: number, type: EvidenceType, limit: number) {
  try {
    // rotate() with no angle applies the EXIF orientation to the pixels; the output then carries no
    // metadata at all (sharp drops it unless keepMetadata/withMetadata is asked for).
    let pipeline = sharp(u.bytes, { failOn: "error", limitInputPixels: limit }).rotate();
    pipeline =
      type === "image/jpeg"
        ? pipeline.jpeg({ quality: 88, mozjpeg: true })
        : type === "image/png"
          ? pipeline.png({ compressionLevel: 8 })
          : pipeline.webp({ quality: 88 });
    const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
    return { bytes: data, width: info.width, height: info.height };
  } catch (err) {
    log.info("evidence image refused", { index: i, error: (err as Error).message });
    throw new AppError("VALIDATION_FAILED", `${label(u, i)}无法作为图片读取（文件可能已损坏或不是图片）`, [
      { path: `evidence.${i}`, message: "无法读取的图片" },
    ]);
  }
}

async function scrubPdf(u: EvidenceUpload, i: number) {
  const tail = Buffer.from(u.bytes.subarray(Math.max(0, u.bytes.length - 1024))).toString("latin1");
  if (!tail.includes("%%EOF")) {
    throw new AppError("VALIDATION_FAILED", `${label(u, i)}不是完整的 PDF 文件`, [
      { path: `evidence.${i}`, message: "PDF 文件不完整" },
    ]);
  }
  try {
    return { bytes: Buffer.from(await stripPdfMetadata(u.bytes)), width: null, height: null };
  } catch (err) {
    if (!(err instanceof UnreadablePdfError)) throw err;
    log.info("evidence pdf refused", { index: i, encrypted: err.encrypted });
    throw new AppError(
      "VALIDATION_FAILED",
      err.encrypted
        ? `${label(u, i)}已加密，请上传未加密的 PDF 文件`
        : `${label(u, i)}无法作为 PDF 读取（文件可能已损坏）`,
      [{ path: `evidence.${i}`, message: err.encrypted ? "PDF 文件已加密" : "无法读取的 PDF 文件" }],
    );
  }
}

/** Stored-file names of evidence: "evidence/<48 hex>" (the random part is the row's storage_name). */
export const EVIDENCE_PREFIX = "evidence/";

export interface StagedEvidence {
  files: (PreparedEvidence & { storageName: string })[];
  /** Delete the staged files (the transaction that should have recorded them failed). */
  discard(): Promise<void>;
}

/** Store prepared files under random names (never overwriting: 192 random bits each). */
export async function stageEvidence(db: Db, prepared: PreparedEvidence[]): Promise<StagedEvidence> {
  const files: StagedEvidence["files"] = [];
  const discard = async () => {
    await deleteFiles(
      db,
      files.map((f) => EVIDENCE_PREFIX + f.storageName),
    ).catch((err) => log.warn("staged evidence not removed", { error: (err as Error).message }));
  };
  try {
    for (const p of prepared) {
      const storageName = randomBytes(24).toString("hex");
      await putFile(db, EVIDENCE_PREFIX + storageName, p.bytes, p.mediaType);
      files.push({ ...p, storageName });
    }
  } catch (err) {
    await discard();
    throw err;
  }
  return { files, discard };
}

/** Record staged files for a ticket (inside the caller's transaction). */
export async function recordEvidence(tx: Db, ticketId: number, staged: StagedEvidence, source: "filing" | "reporter") {
  if (staged.files.length === 0) return [];
  return tx
    .insert(ticketEvidence)
    .values(
      staged.files.map((f) => ({
        ticketId,
        storageName: f.storageName,
        mediaType: f.mediaType,
        byteSize: f.bytes.length,
        sha256: f.sha256,
        width: f.width,
        height: f.height,
        source,
      })),
    )
    .returning({ id: ticketEvidence.id, mediaType: ticketEvidence.mediaType, byteSize: ticketEvidence.byteSize });
}

/**
 * Check, stage and — through `write` — record evidence with the rest of a submission. `write` runs the
 * caller's transaction and calls `attach(tx, ticketId)` inside it. Any failure (a bad file before
 * anything is written, or the transaction) leaves no file behind.
 */
export async function withEvidence<T>(
  db: Db,
  uploads: EvidenceUpload[],
  write: (attach: (tx: Db, ticketId: number) => Promise<void>) => Promise<T>,
  opts: { source?: "filing" | "reporter"; alreadyAttached?: number } = {},
): Promise<T> {
  const prepared = await prepareEvidence(uploads, opts.alreadyAttached ?? 0);
  const staged = await stageEvidence(db, prepared);
  let attached = false;
  try {
    const result = await write(async (tx, ticketId) => {
      await recordEvidence(tx, ticketId, staged, opts.source ?? "filing");
      attached = true;
    });
    if (!attached) await staged.discard(); // e.g. an idempotent replay returned the earlier ticket
    return result;
  } catch (err) {
    await staged.discard();
    throw err;
  }
}

/** How many evidence files a ticket has (for the per-ticket limit). */
export async function countEvidence(db: Db, ticketId: number): Promise<number> {
  const [r] = await db.select({ n: count() }).from(ticketEvidence).where(eq(ticketEvidence.ticketId, ticketId));
  return Number(r?.n ?? 0);
}

/**
 * Add evidence to an existing ticket (the reporter, after filing: the API or /track). The caller has
 * already proved the receipt. Locks the ticket row so two uploads cannot both pass the per-ticket
 * limit; refused (409) once the ticket is finished, like a message would be.
 */
export async function addEvidenceToTicket(
  db: Db,
  ticketId: number,
  uploads: EvidenceUpload[],
  client: SubmissionClient | null,
) {
  if (uploads.length === 0) {
    throw new AppError("VALIDATION_FAILED", "请选择要上传的证据材料", [{ path: "evidence", message: "没有文件" }]);
  }
  const [t] = await rows<SqlRow<typeof tickets, "status">>(
    db,
    sql`SELECT ${tickets.status} FROM ${tickets} WHERE ${tickets.id} = ${ticketId}`,
  );
  if (!t) throw new AppError("NOT_FOUND", "工单编号或查询码不正确");
  if (isTicketStatus(t.status)) assertTransition(t.status, "message", { actor: "reporter" });
  const already = await countEvidence(db, ticketId);
  // Counted before any decoding: the limit is on the work a client can make the server do.
  await chargeSubmission(db, "upload", client, uploads.length);
  return withEvidence(
    db,
    uploads,
    (attach) =>
      db.transaction(async (tx) => {
        const [locked] = await rows<SqlRow<typeof tickets, "status">>(
          tx,
          sql`SELECT ${tickets.status} FROM ${tickets} WHERE ${tickets.id} = ${ticketId} FOR UPDATE`,
        );
        if (isTicketStatus(locked.status)) assertTransition(locked.status, "message", { actor: "reporter" });
        const now = await countEvidence(tx, ticketId);
        if (now + uploads.length > MAX_EVIDENCE_PER_TICKET) {
          throw new AppError("VALIDATION_FAILED", `每件工单最多 ${MAX_EVIDENCE_PER_TICKET} 个证据材料`, [
            { path: "evidence", message: `已有 ${now} 个` },
          ]);
        }
        await attach(tx, ticketId);
        await evidenceEvent(tx, ticketId, locked.status, uploads.length);
        await rows(tx, sql`UPDATE tickets SET updated_at = now() WHERE id = ${ticketId}`);
        return listEvidence(tx, ticketId);
      }),
    { source: "reporter", alreadyAttached: already },
  );
}

/** A public timeline entry: the reporter added N files (no names, no content). */
async function evidenceEvent(tx: Db, ticketId: number, status: string, n: number) {
  await rows(
    tx,
    sql`INSERT INTO ticket_events (ticket_id, action, from_status, to_status, visibility, actor_kind, note)
        VALUES (${ticketId}, 'evidence', ${status}, ${status}, 'public', 'reporter', ${`反映人提交了 ${n} 个证据材料`})`,
  );
}

/**
 * File a ticket together with its evidence, all or nothing: the ticket's fields are checked first
 * (cheap), then every file, then the files are staged and the ticket and its evidence rows commit in one
 * transaction. A bad file means no ticket; a failed ticket means no file. An idempotent replay returns
 * the earlier ticket and keeps none of the re-sent files.
 */
export async function fileTicketWithEvidence(
  db: Db,
  input: FileTicketInput,
  ctx: FileContext,
  uploads: EvidenceUpload[],
): Promise<FileResult> {
  if (uploads.length === 0) return fileTicket(db, input, ctx);
  const parsed = FileTicketInputSchema.safeParse(input);
  if (!parsed.success) return fileTicket(db, input, ctx); // throws fileTicket's own field errors
  if (!ctx.operatorId) await chargeSubmission(db, "upload", ctx.client, uploads.length);
  return withEvidence(db, uploads, (attach) =>
    db.transaction(async (tx) => {
      const result = await fileTicket(tx, input, ctx);
      if (result.created) {
        await attach(tx, result.ticket.id);
        await evidenceEvent(tx, result.ticket.id, result.ticket.status, uploads.length);
      }
      return result;
    }),
  );
}

export interface EvidenceListItem {
  id: number;
  mediaType: string;
  byteSize: number;
  width: number | null;
  height: number | null;
  source: string;
  createdAt: string;
}

/** The evidence list of a ticket (no storage names). For the console, after its own scope check. */
export async function listEvidence(db: Db, ticketId: number): Promise<EvidenceListItem[]> {
  const list = await db
    .select()
    .from(ticketEvidence)
    .where(eq(ticketEvidence.ticketId, ticketId))
    .orderBy(asc(ticketEvidence.id));
  return list.map((e) => ({
    id: e.id,
    mediaType: e.mediaType,
    byteSize: e.byteSize,
    width: e.width,
    height: e.height,
    source: e.source,
    createdAt: e.createdAt.toISOString(),
  }));
}

/**
 * A staff member downloads one evidence file: only for a ticket inside their console scope (the same
 * rule as the queue: 回避, discipline cases, unit/district), audited. A file outside the scope is the
 * same 404 as a file that does not exist.
 */
export async function openEvidence(
  db: Db,
  staff: StaffPrincipal,
  evidenceId: number,
  ticketNumber?: string,
): Promise<{
  id: number;
  ticketNumber: string;
  mediaType: EvidenceType;
  byteSize: number;
  body: ReadableStream<Uint8Array>;
  fileName: string;
}> {
  const scope = await ticketScope(db, staff);
  const [row] = await rows<{
    id: number;
    storage_name: string;
    media_type: EvidenceType;
    number: string;
    ticket_id: number;
  }>(
    db,
    sql`SELECT e.id, e.storage_name, e.media_type, t.number, t.id AS ticket_id
        FROM ticket_evidence e JOIN tickets t ON t.id = e.ticket_id
        WHERE e.id = ${evidenceId} AND ${scope}`,
  );
  if (!row || (ticketNumber !== undefined && row.number !== ticketNumber)) {
    throw new AppError("NOT_FOUND", "没有这个证据材料，或无权查看");
  }
  let file: OpenedFile | null;
  try {
    file = await openFile(db, EVIDENCE_PREFIX + row.storage_name);
  } catch (err) {
    log.error("evidence file unreadable", { evidenceId, error: (err as Error).message });
    file = null;
  }
  if (!file) {
    log.error("evidence file missing", { evidenceId });
    throw new AppError("NOT_FOUND", "证据材料文件不存在");
  }
  await db.transaction((tx) =>
    appendAudit(tx, {
      actorId: staff.userId,
      action: "evidence.read",
      subjectType: "ticket",
      subjectId: row.number,
      details: { evidenceId: row.id },
    }),
  );
  const ext = row.media_type === "application/pdf" ? "pdf" : row.media_type.split("/")[1];
  return {
    id: row.id,
    ticketNumber: row.number,
    mediaType: row.media_type,
    byteSize: file.byteSize,
    body: file.body,
    fileName: `${row.number}-evidence-${row.id}.${ext}`,
  };
}

/** openEvidence(), the whole file in memory (evidence is at most MAX_EVIDENCE_BYTES). */
export async function readEvidence(
  db: Db,
  staff: StaffPrincipal,
  evidenceId: number,
): Promise<{ id: number; ticketNumber: string; mediaType: EvidenceType; bytes: Buffer; fileName: string }> {
  const { body, byteSize: _size, ...file } = await openEvidence(db, staff, evidenceId);
  const parts: Uint8Array[] = [];
  for await (const part of body) parts.push(part);
  return { ...file, bytes: Buffer.concat(parts) };
}

/**
 * Delete stored evidence files that no row refers to and that are older than `minAgeMs` (a process that
 * died between storing the files and committing leaves such files; a younger file may belong to a
 * transaction still running). Returns how many were removed. For the periodic sweep.
 */
export async function sweepOrphanEvidence(db: Db, minAgeMs = 60 * 60 * 1000, now = Date.now()): Promise<number> {
  let removed = 0;
  let after = "";
  for (;;) {
    const names = await listFiles(db, EVIDENCE_PREFIX, new Date(now - minAgeMs), 500, after);
    const batch = names.map((n) => n.slice(EVIDENCE_PREFIX.length));
    if (batch.length === 0) break;
    const known = new Set(
      (
        await db
          .select({ name: ticketEvidence.storageName })
          .from(ticketEvidence)
          .where(inArray(ticketEvidence.storageName, batch))
      ).map((r) => r.name),
    );
    const orphans = batch.filter((n) => !known.has(n));
    removed += await deleteFiles(
      db,
      orphans.map((n) => EVIDENCE_PREFIX + n),
    );
    if (names.length < 500) break;
    after = names.at(-1)!;
  }
  if (removed) log.info("orphan evidence files removed", { removed });
  return removed;
}

/** Ticket id by number (for routes that resolved a number already). */
export async function ticketIdByNumber(db: Db, number: string): Promise<number | null> {
  const [t] = await db.select({ id: tickets.id }).from(tickets).where(eq(tickets.number, number));
  return t?.id ?? null;
}
