import iconv from "iconv-lite";

// Bytes → text for fetched documents. Many Chinese government and news sites still serve GBK or GB2312
// (often declared only in a <meta> tag or the XML declaration, sometimes not at all in the HTTP header).
// Order: a byte-order mark, the Content-Type header's charset, the document's own declaration, else UTF-8.
// GB2312 and GBK are decoded as GB18030, their superset (pages labelled GB2312 routinely use GBK
// characters). Pure.

const ALIASES: Record<string, string> = {
  gb2312: "gb18030",
  gbk: "gb18030",
  "x-gbk": "gb18030",
  gb18030: "gb18030",
  cp936: "gb18030",
  "utf-8": "utf-8",
  utf8: "utf-8",
};

function canonicalCharset(label: string | null | undefined): string | null {
  if (!label) return null;
  const l = label
    .trim()
    .toLowerCase()
    .replace(/^["']|["']$/g, "");
  const mapped = ALIASES[l] ?? l;
  return iconv.encodingExists(mapped) ? mapped : null;
}

/** The charset a document declares in its first bytes (XML declaration or HTML meta), if any. */
export function declaredCharset(head: Buffer): string | null {
  const text = head.subarray(0, 2048).toString("latin1");
  const xmlDecl = text.match(/<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)["']/i);
  if (xmlDecl) return canonicalCharset(xmlDecl[1]);
  const meta = text.match(/<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i);
  if (meta) return canonicalCharset(meta[1]);
  return null;
}

export function headerCharset(contentType: string | null | undefined): string | null {
  const m = (contentType ?? "").match(/charset\s*=\s*["']?([\w.:-]+)/i);
  return m ? canonicalCharset(m[1]) : null;
}

/** Decode a fetched body. Returns the text and the charset used. */
export function decodeBody(bytes: Buffer, contentType?: string | null): { text: string; charset: string } {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return { text: bytes.subarray(3).toString("utf8"), charset: "utf-8" };
  const charset = headerCharset(contentType) ?? declaredCharset(bytes) ?? "utf-8";
  if (charset === "utf-8") return { text: bytes.toString("utf8"), charset };
  return { text: iconv.decode(bytes, charset), charset };
}
