import { canonicalJson } from "../canonical-json";
import { type Bytes, concat, utf8 } from "./bytes";

// The entries Sunshine appends to its log. Every entry is the UTF-8 bytes of one RFC 8785 (JCS) JSON
// object with "v": 1 and a "type"; the leaf hash is RFC 6962's SHA-256(0x00 ‖ entry bytes). Pure
// functions: the server, the CLI and the browser verifier all use these.

export const ENTRY_VERSION = 1;

/** A ticket filing: only what the public ticket page shows, plus a hiding commitment to the content. */
export interface TicketFiledEntry {
  v: 1;
  type: "ticket.filed";
  ticket: string;
  /** Filing time, ISO 8601 UTC with milliseconds. */
  time: string;
  kind: string;
  category: string;
  district: string;
  /** hex SHA-256 of commitmentMessage(content, salt). */
  commitment: string;
}

/** A published version of a record (fund allocation, notice, ledger sign-off, ticket transition). */
export interface RecordVersionEntry {
  v: 1;
  type: string;
  id: string;
  version: number;
  time: string;
  /** hex SHA-256 of the JCS of the record's public JSON at this version. */
  sha256: string;
}

export type LogEntry = TicketFiledEntry | RecordVersionEntry;

/** The ticket content a filing commits to. */
export interface TicketContent {
  title: string;
  description: string;
  subject: { unit: string | null; person: string | null; post: string | null } | null;
}

export const encodeEntry = (e: LogEntry | Record<string, unknown>): Bytes => utf8(canonicalJson(e));

const COMMITMENT_DOMAIN = utf8("sunshine/ticket-content/v1\n");

/** The bytes hashed into a content commitment: domain line ‖ 32-byte salt ‖ JCS(content). */
export function commitmentMessage(content: TicketContent, salt: Bytes): Bytes {
  return concat(COMMITMENT_DOMAIN, salt, utf8(canonicalJson(normaliseContent(content))));
}

export function normaliseContent(c: TicketContent): TicketContent {
  const s = c.subject;
  const subject =
    s && (s.unit || s.person || s.post)
      ? { unit: s.unit ?? null, person: s.person ?? null, post: s.post ?? null }
      : null;
  return { title: c.title, description: c.description, subject };
}

/** Parse an entry's bytes as a Sunshine entry; null when it is not one. */
export function decodeEntry(bytes: Bytes): LogEntry | null {
  try {
    const v = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    if (!v || typeof v !== "object" || v.v !== ENTRY_VERSION || typeof v.type !== "string") return null;
    return v as LogEntry;
  } catch {
    return null;
  }
}
