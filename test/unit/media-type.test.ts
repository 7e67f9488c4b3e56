import { describe, expect, it } from "vitest";
import { isImageMediaType, sniffMediaType } from "../../lib/media-type";

describe("media type by content, not name", () => {
  it("recognises JPEG, PNG, WebP and PDF by their magic bytes", () => {
    expect(sniffMediaType(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0]))).toBe("image/jpeg");
    expect(sniffMediaType(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe("image/png");
    expect(sniffMediaType(Buffer.from("RIFF\x10\x00\x00\x00WEBPVP8 ", "latin1"))).toBe("image/webp");
    expect(sniffMediaType(new TextEncoder().encode("RIFF\0\0\0\0WEBPVP8 "))).toBe("image/webp");
    expect(sniffMediaType(Buffer.from("%PDF-1.7\n"))).toBe("application/pdf");
  });

  it("refuses everything else, including look-alikes and truncated signatures", () => {
    for (const s of [
      "GIF89a......",
      "<svg xmlns=...>",
      "PK\x03\x04zip",
      "RIFF....WAVEfmt ",
      "%PDF",
      "\xff\xd8",
      "\x89PNG\r\n",
    ]) {
      expect(sniffMediaType(Buffer.from(s, "latin1")), s).toBeNull();
    }
    expect(sniffMediaType(new Uint8Array())).toBeNull();
  });

  it("tells images from PDFs (photo uploads take images only)", () => {
    expect(isImageMediaType(sniffMediaType(Uint8Array.from([0xff, 0xd8, 0xff, 0xdb])))).toBe(true);
    expect(isImageMediaType(sniffMediaType(Buffer.from("RIFF\0\0\0\0WEBPVP8 ", "latin1")))).toBe(true);
    expect(isImageMediaType(sniffMediaType(Buffer.from("%PDF-1.4\n")))).toBe(false);
    expect(isImageMediaType(null)).toBe(false);
  });
});
