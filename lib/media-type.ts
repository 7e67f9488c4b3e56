// What an uploaded file is, decided by its first bytes (magic numbers), never by its name or the type
// the client declared: a renamed text file is not an image. Only the types uploads accept are known.

export const IMAGE_MEDIA_TYPES = ["image/jpeg", "image/png", "image/webp"] as const;
export type ImageMediaType = (typeof IMAGE_MEDIA_TYPES)[number];
export type MediaType = ImageMediaType | "application/pdf";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function ascii(b: Uint8Array, from: number, to: number) {
  return String.fromCharCode(...b.subarray(from, to));
}

/** Pure: the media type of the content (16 bytes are enough), or null when it is none of the known ones. */
export function sniffMediaType(b: Uint8Array): MediaType | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  if (b.length >= 8 && PNG_SIGNATURE.every((v, i) => b[i] === v)) return "image/png";
  if (b.length >= 12 && ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 12) === "WEBP") return "image/webp";
  if (b.length >= 8 && ascii(b, 0, 5) === "%PDF-") return "application/pdf";
  return null;
}

export function isImageMediaType(type: MediaType | null): type is ImageMediaType {
  return (IMAGE_MEDIA_TYPES as readonly (MediaType | null)[]).includes(type);
}
