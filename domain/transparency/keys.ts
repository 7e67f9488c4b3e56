import { createHash } from "node:crypto";
import { env } from "../../lib/env";
import { type NoteSigner, parseSignerKey, signerKeyString } from "../../lib/tlog/signer";

// The log's identity: its origin line and its Ed25519 note signer (SUNSHINE_LOG_KEY, Go's sumdb/note
// signer-key format). Outside production an unset key is derived from a fixed label, so development and
// tests sign with a throwaway key; production refuses to sign without a configured one.

export interface Witness {
  /** Verifier key of the witness's cosignature key (type 0x04). */
  vkey: string;
  url: string;
}

/** The log cannot sign: no key in production, or a key for another origin. */
export class LogKeyError extends Error {}

let cached: { source: string; signer: NoteSigner } | undefined;

export function logOrigin(): string {
  return env().SUNSHINE_LOG_ORIGIN;
}

/** The log's signer; throws when production has no SUNSHINE_LOG_KEY or the key is not for this origin. */
export function logSigner(): NoteSigner {
  const e = env();
  const source = `${e.SUNSHINE_LOG_KEY ?? ""}|${e.SUNSHINE_LOG_ORIGIN}|${e.NODE_ENV}`;
  if (cached?.source === source) return cached.signer;
  let signer: NoteSigner;
  if (e.SUNSHINE_LOG_KEY) {
    signer = parseSignerKey(e.SUNSHINE_LOG_KEY);
  } else {
    if (e.NODE_ENV === "production") {
      throw new LogKeyError("SUNSHINE_LOG_KEY is required in production (npm run log:keygen)");
    }
    const seed = createHash("sha256").update(`sunshine-dev-only:log-key:${e.SUNSHINE_LOG_ORIGIN}`).digest();
    signer = parseSignerKey(signerKeyString(e.SUNSHINE_LOG_ORIGIN, seed));
  }
  if (signer.name !== e.SUNSHINE_LOG_ORIGIN) {
    throw new LogKeyError(
      `SUNSHINE_LOG_KEY is for "${signer.name}", not the origin SUNSHINE_LOG_ORIGIN="${e.SUNSHINE_LOG_ORIGIN}"`,
    );
  }
  cached = { source, signer };
  return signer;
}

/** The log's public key as one line, <name>+<hex key ID>+<base64>. */
export const logVerifierKey = (): string => logSigner().vkey;

export function logWitnesses(): Witness[] {
  const list = env().SUNSHINE_LOG_WITNESSES;
  if (!list) return [];
  return list.split(",").map((item) => {
    const at = item.indexOf("@");
    return { vkey: item.slice(0, at), url: item.slice(at + 1) };
  });
}
