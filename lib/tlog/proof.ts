import { type Bytes, fromBase64, toBase64 } from "./bytes";

// C2SP tlog-proof@v1: an offline-verifiable inclusion proof bundled with its checkpoint.

export const PROOF_HEADER = "c2sp.org/tlog-proof@v1";

export interface TlogProof {
  extra: Bytes | null;
  index: number;
  /** Inclusion proof hashes, leaf's sibling first. */
  proof: Bytes[];
  /** The signed checkpoint note, verbatim. */
  checkpoint: string;
}

export class ProofFormatError extends Error {}

export function formatProof(p: TlogProof): string {
  const lines = [PROOF_HEADER];
  if (p.extra) lines.push(`extra ${toBase64(p.extra)}`);
  lines.push(`index ${p.index}`);
  for (const h of p.proof) lines.push(toBase64(h));
  return `${lines.join("\n")}\n\n${p.checkpoint}`;
}

/** Parse a proof; throws ProofFormatError naming what is wrong. Accepts CRLF line ends (pasted text). */
export function parseProof(input: string): TlogProof {
  const text = input.replace(/\r\n/g, "\n").replace(/^\uFEFF/, "");
  const lines = text.split("\n");
  if (lines[0] !== PROOF_HEADER) throw new ProofFormatError(`first line must be ${PROOF_HEADER}`);
  let i = 1;
  let extra: Bytes | null = null;
  if (lines[i]?.startsWith("extra ")) {
    extra = fromBase64(lines[i].slice(6));
    if (!extra) throw new ProofFormatError("extra line is not valid base64");
    i++;
  }
  const m = /^index (0|[1-9]\d{0,15})$/.exec(lines[i] ?? "");
  if (!m || !Number.isSafeInteger(Number(m[1]))) throw new ProofFormatError("missing or malformed index line");
  i++;
  const proof: Bytes[] = [];
  for (; i < lines.length && lines[i] !== ""; i++) {
    const h = fromBase64(lines[i]);
    if (h?.length !== 32) throw new ProofFormatError(`proof line ${proof.length + 1} is not a SHA-256 hash`);
    proof.push(h);
  }
  if (i >= lines.length) throw new ProofFormatError("missing blank line before the checkpoint");
  if (proof.length > 64) throw new ProofFormatError("inclusion proof too long");
  const checkpoint = lines.slice(i + 1).join("\n");
  if (!checkpoint) throw new ProofFormatError("missing checkpoint");
  return { extra, index: Number(m[1]), proof, checkpoint: checkpoint.endsWith("\n") ? checkpoint : `${checkpoint}\n` };
}
