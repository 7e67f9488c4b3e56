import { describe, expect, it } from "vitest";
import { prepareEvidence, scrubPdfBytes, sniffEvidenceType } from "../../domain/hotline/evidence";

describe("evidence type sniffing (by content, not name)", () => {
  it("recognises JPEG, PNG, WebP and PDF by their magic bytes", () => {
    expect(sniffEvidenceType(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0]))).toBe("image/jpeg");
    expect(sniffEvidenceType(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe("image/png");
    expect(sniffEvidenceType(Buffer.from("RIFF\x10\x00\x00\x00WEBPVP8 ", "latin1"))).toBe("image/webp");
    expect(sniffEvidenceType(Buffer.from("%PDF-1.7\n"))).toBe("application/pdf");
  });
  it("refuses everything else, including look-alikes", () => {
    for (const s of ["GIF89a......", "<svg xmlns=...>", "PK\x03\x04zip", "RIFF....WAVEfmt ", "%PDF", "\xff\xd8"]) {
      expect(sniffEvidenceType(Buffer.from(s, "latin1")), s).toBeNull();
    }
    expect(sniffEvidenceType(new Uint8Array())).toBeNull();
  });
});

describe("PDF metadata scrubbing", () => {
  it("blanks Info strings (literal with nested/escaped parentheses, and hex) keeping the length", () => {
    const src = Buffer.from(
      "%PDF-1.4\n<< /Author (Li (Xiu) \\) Ying) /Creator <FEFF674E> /Title(报告) /Type /Catalog >>\n%%EOF",
      "latin1",
    );
    const out = scrubPdfBytes(src);
    expect(out.length).toBe(src.length);
    const text = out.toString("latin1");
    expect(text).not.toMatch(/Li|Xiu|Ying|674E/);
    expect(text).toContain("/Type /Catalog");
    expect(text).toMatch(/\/Author \( +\)/);
    expect(text).toMatch(/\/Creator <0+>/);
  });
  it("blanks XMP packets", () => {
    const src = Buffer.from(
      '%PDF-1.6\n<?xpacket begin="" id="W5M0"?><x:xmpmeta><dc:creator>Wang</dc:creator></x:xmpmeta><?xpacket end="w"?>\nrest\n%%EOF',
      "latin1",
    );
    const out = scrubPdfBytes(src).toString("latin1");
    expect(out).not.toContain("Wang");
    expect(out).not.toContain("xpacket");
    expect(out).toContain("rest");
  });
});

describe("prepareEvidence limits", () => {
  it("refuses more than 5 files, empty files, and truncated PDFs", async () => {
    const pdf = { bytes: Buffer.from("%PDF-1.4\n%%EOF") };
    await expect(prepareEvidence(Array(6).fill(pdf))).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(prepareEvidence([pdf], 10)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(prepareEvidence([{ bytes: new Uint8Array() }])).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(prepareEvidence([{ bytes: Buffer.from("%PDF-1.4\nno end") }])).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    const [ok] = await prepareEvidence([pdf]);
    expect(ok).toMatchObject({ mediaType: "application/pdf", width: null });
    expect(ok.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
