import { PDFDict, PDFDocument, PDFName, PDFRef, PDFStream } from "pdf-lib";

// Removes a PDF's document metadata with a real PDF parser: the trailer's document-information
// dictionary (Author, Creator, Producer, Title, Subject, Keywords, dates — often the name of the person
// who scanned or wrote the file) and every XMP metadata stream (/Metadata of the catalog, of pages, of
// images). The parser reads compressed object streams and cross-reference streams, which a byte-level
// search cannot see into, and the file is written out anew without the removed objects.

export class UnreadablePdfError extends Error {
  constructor(
    message: string,
    readonly encrypted = false,
  ) {
    super(message);
    this.name = "UnreadablePdfError";
  }
}

const METADATA = PDFName.of("Metadata");
const TYPE = PDFName.of("Type");

export async function stripPdfMetadata(bytes: Uint8Array): Promise<Uint8Array> {
  let doc: PDFDocument;
  try {
    // updateMetadata: false — pdf-lib would otherwise write its own Producer/Creator/dates.
    doc = await PDFDocument.load(bytes, { updateMetadata: false, throwOnInvalidObject: true });
  } catch (err) {
    const encrypted = (err as Error).name === "EncryptedPDFError" || /encrypt/i.test((err as Error).message);
    throw new UnreadablePdfError((err as Error).message, encrypted);
  }
  try {
    return await rewriteWithoutMetadata(doc);
  } catch (err) {
    // A file that parses but has no usable structure (no catalog, no pages tree) fails on writing.
    throw new UnreadablePdfError((err as Error).message);
  }
}

async function rewriteWithoutMetadata(doc: PDFDocument): Promise<Uint8Array> {
  const { context } = doc;
  const info = context.trailerInfo.Info;
  if (info instanceof PDFRef) context.delete(info);
  context.trailerInfo.Info = undefined;

  for (const [ref, object] of context.enumerateIndirectObjects()) {
    const dict = object instanceof PDFDict ? object : object instanceof PDFStream ? object.dict : undefined;
    if (!dict) continue;
    if (dict.get(TYPE) === METADATA && object instanceof PDFStream) {
      context.delete(ref);
      continue;
    }
    const meta = dict.get(METADATA);
    if (meta !== undefined) {
      dict.delete(METADATA);
      if (meta instanceof PDFRef) context.delete(meta);
    }
  }
  return doc.save({ useObjectStreams: false, updateFieldAppearances: false });
}
