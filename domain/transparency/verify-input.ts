import { z } from "zod";
import { fromHex } from "../../lib/tlog/bytes";
import type { TicketContent } from "../../lib/tlog/leaf-format";
import { type VerifyResult, verifyProof } from "../../lib/tlog/verify";
import { logOrigin, logVerifierKey } from "./keys";

// Checking a proof a citizen brings to /verify (or to `npm run log:verify`): the proof text and,
// optionally, the content opening (the JSON the reporter downloaded: content and salt).

const Opening = z.object({
  content: z.object({
    title: z.string().max(200),
    description: z.string().max(20_000),
    subject: z
      .object({ unit: z.string().nullable(), person: z.string().nullable(), post: z.string().nullable() })
      .nullable()
      .optional(),
  }),
  salt: z.string().regex(/^[0-9a-f]{64}$/),
});

export interface ParsedOpening {
  content: TicketContent;
  salt: Uint8Array;
}

/** Parse a content opening; a message in Chinese when it is not one. */
export function parseOpening(text: string): ParsedOpening | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch {
    return { error: "内容凭据不是有效的 JSON 文件（请使用下载的“内容凭据”文件原样上传）" };
  }
  const r = Opening.safeParse(json);
  if (!r.success) return { error: "内容凭据缺少标题、内容或盐值（salt，64 位十六进制）" };
  return {
    content: { ...r.data.content, subject: r.data.content.subject ?? null },
    salt: fromHex(r.data.salt) as Uint8Array,
  };
}

/** Verify a proof against this log's key and origin (or another key the citizen supplies). */
export function verifyFilingProof(
  proof: string,
  opening?: ParsedOpening | null,
  logKey?: string,
): Promise<VerifyResult> {
  return verifyProof(proof, {
    origin: logOrigin(),
    logKey: logKey?.trim() || logVerifierKey(),
    content: opening?.content,
    salt: opening?.salt,
  });
}
