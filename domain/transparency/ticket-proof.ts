import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { utf8 } from "../../lib/tlog/bytes";
import { normaliseContent, type TicketContent } from "../../lib/tlog/leaf-format";
import { formatProof } from "../../lib/tlog/proof";
import { type Client, verifyReceipt } from "../hotline/tracking";
import { filingRef } from "./entries";
import { inclusionProof, latestCheckpoint, servedCheckpoint } from "./read";

// The reporter's proof of filing: a tlog-proof@v1 for the ticket's filing entry against the latest
// checkpoint, and the "opening" (the content and salt the entry's commitment hides), for the reporter
// alone. Both need the receipt: an unknown ticket and a wrong receipt get the same 404 as the lookup.

export type FilingProof =
  | { state: "pending" }
  /** Filed before the log existed: no entry. */
  | { state: "absent" }
  | { state: "ready"; number: string; index: number; treeSize: number; proof: string; opening: ContentOpening };

export interface ContentOpening {
  ticket: string;
  content: TicketContent;
  /** hex 256-bit salt */
  salt: string;
}

export async function ticketFilingProof(db: Db, number: string, receipt: string, client: Client): Promise<FilingProof> {
  const { id } = await verifyReceipt(db, number, receipt, client);
  const [t] = await rows<{
    number: string;
    title: string;
    description: string;
    subject_unit_text: string | null;
    subject_person: string | null;
    subject_post: string | null;
  }>(
    db,
    sql`SELECT number, title, description, subject_unit_text, subject_person, subject_post FROM tickets WHERE id = ${id}`,
  );
  const ref = filingRef(t.number);
  const [entry] = await rows<{ idx: string | number; entry: string; secret: string | null }>(
    db,
    sql`SELECT idx, entry, secret FROM log_entries WHERE ref = ${ref} ORDER BY idx LIMIT 1`,
  );
  if (!entry) {
    const [pending] = await rows<{ id: string }>(db, sql`SELECT id FROM log_pending WHERE ref = ${ref} LIMIT 1`);
    if (pending) return { state: "pending" };
    return { state: "absent" };
  }
  const index = Number(entry.idx);
  // The checkpoint /log/checkpoint serves (with the witnesses' cosignatures, so the proof carries them
  // offline), or the newest when that one does not contain the entry yet.
  const served = await servedCheckpoint(db);
  const cp = served && served.size > index ? served : await latestCheckpoint(db);
  if (!cp || cp.size <= index) return { state: "pending" };
  const proof = await inclusionProof(db, cp.size, index);
  return {
    state: "ready",
    number: t.number,
    index,
    treeSize: cp.size,
    proof: formatProof({ extra: utf8(entry.entry), index, proof, checkpoint: cp.note }),
    opening: {
      ticket: t.number,
      content: normaliseContent({
        title: t.title,
        description: t.description,
        subject: { unit: t.subject_unit_text, person: t.subject_person, post: t.subject_post },
      }),
      salt: entry.secret ?? "",
    },
  };
}
