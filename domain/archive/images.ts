import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import sharp, { type Sharp } from "sharp";
import { env } from "../../lib/env";
import { AppError } from "../../lib/errors";

// Uploaded images: checked by their bytes (not their name or declared type), re-encoded without any
// metadata (EXIF, GPS, XMP, IPTC are dropped; the orientation is applied first), resized into a few
// widths as WebP and JPEG, stored under DATA_DIR/archive/<collection>/<key>/<width>.<ext>.
// The original upload is never stored.

export const RENDITION_WIDTHS = [480, 960, 1600] as const;
export const RENDITION_FORMATS = ["webp", "jpg"] as const;
export type RenditionFormat = (typeof RENDITION_FORMATS)[number];
export type Collection = "photos" | "honors";

/** Largest accepted image, in bytes (MAX_UPLOAD_BYTES). */
export function maxImageBytes() {
  return env().MAX_UPLOAD_BYTES;
}

export function formatMegabytes(bytes: number) {
  return `${(bytes / 1_048_576).toFixed(bytes >= 10 * 1_048_576 ? 0 : 1)} MB`;
}

/** The image type by magic bytes, or null. */
export function detectImageType(bytes: Uint8Array): "jpeg" | "png" | "webp" | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((b, i) => bytes[i] === b)) return "png";
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 12 && ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return "webp";
  return null;
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
  const type = detectImageType(bytes);
  if (!type) {
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

export function collectionDir(collection: Collection) {
  return path.resolve(env().DATA_DIR, "archive", collection);
}

/** Check, strip and resize an upload; write its renditions; return where they are. */
export async function storeImage(collection: Collection, bytes: Uint8Array): Promise<StoredImage> {
  checkImage(bytes);
  let source: Sharp;
  let width: number;
  let height: number;
  try {
    // rotate() applies the EXIF orientation; the output carries no metadata (sharp's default).
    source = sharp(bytes, { limitInputPixels: 80_000_000, failOn: "error" }).rotate();
    const meta = await sharp(bytes, { limitInputPixels: 80_000_000 }).metadata();
    const swap = (meta.orientation ?? 1) >= 5;
    width = (swap ? meta.height : meta.width) ?? 0;
    height = (swap ? meta.width : meta.height) ?? 0;
    if (!width || !height) throw new Error("no dimensions");
  } catch (err) {
    if (err instanceof AppError) throw err;
    const pixels = /pixel limit/i.test((err as Error).message);
    throw new ImageRejected(
      pixels ? "照片像素过多（超过 8000 万像素），请缩小后再上传。" : "无法读取这张图片：文件可能已损坏或不完整。",
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
  const dir = collectionDir(collection);
  const tmp = path.join(dir, `.tmp-${key}`);
  await mkdir(tmp, { recursive: true });
  try {
    for (const w of sizes) {
      const resized = source.clone().resize({ width: w, withoutEnlargement: true });
      const [webp, jpg] = await Promise.all([
        resized.clone().webp({ quality: 74, effort: 3 }).toBuffer(),
        resized.clone().flatten({ background: "#ffffff" }).jpeg({ quality: 80, progressive: true }).toBuffer(),
      ]);
      await writeFile(path.join(tmp, `${w}.webp`), webp);
      await writeFile(path.join(tmp, `${w}.jpg`), jpg);
    }
    await rename(tmp, path.join(dir, key));
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    if (err instanceof AppError) throw err;
    throw new ImageRejected("无法处理这张图片：文件可能已损坏或不完整。", "VALIDATION_FAILED");
  }
  const largest = sizes.at(-1)!;
  return { key, width: largest, height: Math.round((height * largest) / width), sizes };
}

export async function removeImage(collection: Collection, key: string) {
  if (!/^[0-9a-f]{24}$/.test(key)) return;
  await rm(path.join(collectionDir(collection), key), { recursive: true, force: true });
}

/** Path of one rendition, or null when the name is not one we write. */
export function renditionPath(collection: Collection, key: string, file: string, sizes: number[]) {
  const m = /^(\d{2,4})\.(webp|jpg)$/.exec(file);
  if (!m || !sizes.includes(Number(m[1])) || !/^[0-9a-f]{24}$/.test(key)) return null;
  return {
    path: path.join(collectionDir(collection), key, file),
    contentType: m[2] === "webp" ? "image/webp" : "image/jpeg",
  };
}

/** srcset values for an image whose renditions are served under `base` (e.g. /archive/photos/3/). */
export function srcsets(base: string, sizes: number[]) {
  return {
    webp: sizes.map((w) => `${base}${w}.webp ${w}w`).join(", "),
    jpg: sizes.map((w) => `${base}${w}.jpg ${w}w`).join(", "),
    fallback: `${base}${sizes.find((w) => w >= 960) ?? sizes.at(-1)}.jpg`,
  };
}
