import { randomBytes } from "node:crypto";
import sharp from "sharp";
import { type Db, getDb } from "../../db/client";
import { env } from "../../lib/env";
import { AppError } from "../../lib/errors";
import { maxImagePixels, maxImagePixelsLabel, withDecodeSlot } from "../../lib/image-decode";
import { isImageMediaType, sniffMediaType } from "../../lib/media-type";
import { deleteFiles, type OpenedFile, openFile, putFile } from "../../storage/files";

// Uploaded images: checked by their bytes (not their name or declared type), re-encoded without any
// metadata (EXIF, GPS, XMP, IPTC are dropped; the orientation is applied first), resized into a few
// widths as WebP and JPEG, stored in the file store (storage/files.ts, shared by every node) as
// archive/<collection>/<key>/<width>.<ext>.
// The original upload is never stored.

export const RENDITION_WIDTHS = [480, 960, 1600] as const;
export const RENDITION_FORMATS = ["webp", "jpg"] as const;
export type RenditionFormat = (typeof RENDITION_FORMATS)[number];
export type Collection = "photos" | "honors" | "housing";

/** Largest accepted image, in bytes (MAX_UPLOAD_BYTES). */
export function maxImageBytes() {
  return env().MAX_UPLOAD_BYTES;
}

export function formatMegabytes(bytes: number) {
  return `${(bytes / 1_048_576).toFixed(bytes >= 10 * 1_048_576 ? 0 : 1)} MB`;
}

export class ImageRejected extends AppError {
  constructor(message: string, code: "VALIDATION_FAILED" | "PAYLOAD_TOO_LARGE" | "UNSUPPORTED_MEDIA_TYPE") {
    super(code, message, { field: "photo" });
  }
}

/** Size and type checks, with messages a person can act on. */
export function checkImage(bytes: Uint8Array, declaredSize = bytes.length) {
  const max = maxImageBytes();
  if (declaredSize === 0 || bytes.length === 0) throw new ImageRejected("请选择要上传的照片文件", "VALIDATION_FAILED");
  if (declaredSize > max || bytes.length > max) {
    throw new ImageRejected(
      `照片文件过大（${formatMegabytes(Math.max(declaredSize, bytes.length))}），上限为 ${formatMegabytes(max)}。请压缩或缩小后再上传。`,
      "PAYLOAD_TOO_LARGE",
    );
  }
  const type = sniffMediaType(bytes);
  if (!isImageMediaType(type)) {
    throw new ImageRejected(
      "文件不是 JPEG、PNG 或 WebP 格式的图片（按文件内容判断，改扩展名无效），请选择照片文件。",
      "UNSUPPORTED_MEDIA_TYPE",
    );
  }
  return type;
}

export interface StoredImage {
  key: string;
  width: number;
  height: number;
  sizes: number[];
}

const imagePrefix = (collection: Collection, key: string) => `archive/${collection}/${key}/`;

/** Check, strip and resize an upload; write its renditions; return where they are. */
export async function storeImage(collection: Collection, bytes: Uint8Array, db?: Db): Promise<StoredImage> {
  checkImage(bytes);
  const limit = maxImagePixels();
  let width: number;
  let height: number;
  try {
    // The header alone (no decoding): refuse an image that declares more pixels than a phone camera's.
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    const swap = (meta.orientation ?? 1) >= 5;
    width = (swap ? meta.height : meta.width) ?? 0;
    height = (swap ? meta.width : meta.height) ?? 0;
    if (!width || !height) throw new Error("no dimensions");
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new ImageRejected("无法读取这张图片：文件可能已损坏或不完整。", "VALIDATION_FAILED");
  }
  if (width * height > limit) {
    throw new ImageRejected(
      `照片像素过多（${width}×${height}，上限 ${maxImagePixelsLabel()} 像素），请缩小后再上传。`,
      "VALIDATION_FAILED",
    );
  }
  if (width < 200 || height < 200) {
    throw new ImageRejected(`照片太小（${width}×${height}），请上传宽高都不小于 200 像素的照片。`, "VALIDATION_FAILED");
  }
  const sizes = [
    ...new Set([...RENDITION_WIDTHS.filter((w) => w < width), Math.min(width, RENDITION_WIDTHS.at(-1)!)]),
  ].sort((a, b) => a - b);
  const key = randomBytes(12).toString("hex");
  // Every rendition is made before any is stored, so a picture that fails half-way stores nothing.
  const renditions: { name: string; bytes: Buffer; type: string }[] = [];
  try {
    // Decode the upload once (in a decoding slot), to the largest rendition: rotate() applies the EXIF
    // orientation and the output carries no metadata (sharp's default). Every rendition is made from
    // that, not from the upload again.
    const largest = sizes.at(-1)!;
    const base = await withDecodeSlot(() =>
      sharp(bytes, { limitInputPixels: limit, failOn: "error" })
        .rotate()
        .resize({ width: largest, withoutEnlargement: true })
        .raw()
        .toBuffer({ resolveWithObject: true }),
    );
    const raw = { raw: { width: base.info.width, height: base.info.height, channels: base.info.channels } };
    for (const w of sizes) {
      const resized = sharp(base.data, raw).resize({ width: w, withoutEnlargement: true });
      const [webp, jpg] = await Promise.all([
        resized.clone().webp({ quality: 74, effort: 3 }).toBuffer(),
        resized.clone().flatten({ background: "#ffffff" }).jpeg({ quality: 80, progressive: true }).toBuffer(),
      ]);
      renditions.push({ name: `${w}.webp`, bytes: webp, type: "image/webp" });
      renditions.push({ name: `${w}.jpg`, bytes: jpg, type: "image/jpeg" });
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new ImageRejected("无法处理这张图片：文件可能已损坏或不完整。", "VALIDATION_FAILED");
  }
  const store = db ?? (await getDb());
  await store.transaction(async (tx) => {
    for (const r of renditions) await putFile(tx, imagePrefix(collection, key) + r.name, r.bytes, r.type);
  });
  const largest = sizes.at(-1)!;
  return { key, width: largest, height: Math.round((height * largest) / width), sizes };
}

export async function removeImage(collection: Collection, key: string, db?: Db) {
  if (!/^[0-9a-f]{24}$/.test(key)) return;
  await deleteFiles(db ?? (await getDb()), { prefix: imagePrefix(collection, key) });
}

/** The stored name and type of one rendition, or null when the name is not one we write. */
export function renditionFile(collection: Collection, key: string, file: string, sizes: number[]) {
  const m = /^(\d{2,4})\.(webp|jpg)$/.exec(file);
  if (!m || !sizes.includes(Number(m[1])) || !/^[0-9a-f]{24}$/.test(key)) return null;
  return {
    name: imagePrefix(collection, key) + file,
    contentType: m[2] === "webp" ? "image/webp" : "image/jpeg",
  };
}

/** One rendition as a stream (with its size and hash, for validators), or null when there is none. */
export async function openRendition(
  db: Db,
  collection: Collection,
  key: string,
  file: string,
  sizes: number[],
): Promise<(OpenedFile & { contentType: string }) | null> {
  const found = renditionFile(collection, key, file, sizes);
  if (!found) return null;
  const opened = await openFile(db, found.name).catch(() => null);
  return opened && { ...opened, contentType: found.contentType };
}

/** srcset values for an image whose renditions are served under `base` (e.g. /archive/photos/3/). */
export function srcsets(base: string, sizes: number[]) {
  return {
    webp: sizes.map((w) => `${base}${w}.webp ${w}w`).join(", "),
    jpg: sizes.map((w) => `${base}${w}.jpg ${w}w`).join(", "),
    fallback: `${base}${sizes.find((w) => w >= 960) ?? sizes.at(-1)}.jpg`,
  };
}
