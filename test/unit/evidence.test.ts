import { decodePDFRawStream, PDFDocument, PDFName, PDFRawStream } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { prepareEvidence } from "../../domain/hotline/evidence";

const MARKER = "Reporter-Marker-7c1e";

/** A PDF whose Info dictionary sits in a compressed object stream and whose XMP is a Flate stream. */
async function pdfWithMetadata(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.addPage([200, 200]).drawText("evidence");
  doc.setAuthor(MARKER);
  doc.setTitle(`${MARKER} 的材料`);
  doc.setCreator(MARKER);
  doc.setProducer(MARKER);
  doc.setKeywords([MARKER]);
  const xmp = doc.context.flateStream(
    `<?xpacket begin=""?><x:xmpmeta><dc:creator>${MARKER}</dc:creator></x:xmpmeta><?xpacket end="w"?>`,
    { Type: "Metadata", Subtype: "XML" },
  );
  doc.catalog.set(PDFName.of("Metadata"), doc.context.register(xmp));
  return doc.save({ useObjectStreams: true });
}

describe("PDF metadata removal", () => {
  it("drops the Info dictionary and XMP even from compressed object streams", async () => {
    const src = await pdfWithMetadata();
    // The marker is invisible to a byte search of the input (compressed) but there for any reader.
    expect(Buffer.from(src).toString("latin1")).not.toContain(MARKER);
    expect((await PDFDocument.load(src, { updateMetadata: false })).getAuthor()).toBe(MARKER);

    const [cleaned] = await prepareEvidence([{ bytes: src }]);
    expect(cleaned.mediaType).toBe("application/pdf");
    const out = await PDFDocument.load(cleaned.bytes, { updateMetadata: false });
    expect(out.getAuthor()).toBeUndefined();
    expect(out.getTitle()).toBeUndefined();
    expect(out.getCreator()).toBeUndefined();
    expect(out.getProducer()).toBeUndefined();
    expect(out.catalog.get(PDFName.of("Metadata"))).toBeUndefined();
    expect(out.getPageCount()).toBe(1);
    // Nothing left anywhere in the file, not even in a compressed stream.
    for (const [, object] of out.context.enumerateIndirectObjects()) {
      if (object instanceof PDFRawStream) {
        expect(Buffer.from(decodePDFRawStream(object).decode()).toString("latin1")).not.toContain(MARKER);
      } else {
        expect(object.toString()).not.toContain(MARKER);
      }
    }
    expect(Buffer.from(cleaned.bytes).toString("latin1")).not.toContain(MARKER);
  });

  it("refuses a PDF it cannot parse", async () => {
    await expect(prepareEvidence([{ bytes: Buffer.from("%PDF-1.4\ngarbage\n%%EOF") }])).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
  });
});

describe("prepareEvidence limits", () => {
  it("refuses more than 5 files, empty files, and truncated PDFs", async () => {
    const pdf = { bytes: await pdfWithMetadata() };
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
