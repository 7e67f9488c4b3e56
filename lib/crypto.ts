import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { env } from "./env";

// Reporter identity at rest: AES-256-GCM with the key SUNSHINE_ENCRYPTION_KEY (id SUNSHINE_ENCRYPTION_KEY_ID);
// earlier keys listed in SUNSHINE_OLD_ENCRYPTION_KEYS still decrypt during a rotation. Receipt codes:
// HMAC-SHA-256 with SUNSHINE_HMAC_KEY. Outside production, unset keys are derived from a fixed label so
// development and tests work; such keys are throwaway and production refuses to start without real ones.

interface Keys {
  currentId: string;
  enc: Map<string, Buffer>;
  hmac: Buffer;
}

let cached: { source: string; keys: Keys } | undefined;

function devKey(label: string) {
  return createHash("sha256").update(`sunshine-dev-only:${label}`).digest();
}

function keys(): Keys {
  const e = env();
  const source = [
    e.SUNSHINE_ENCRYPTION_KEY,
    e.SUNSHINE_ENCRYPTION_KEY_ID,
    e.SUNSHINE_OLD_ENCRYPTION_KEYS,
    e.SUNSHINE_HMAC_KEY,
  ].join("|");
  if (cached?.source === source) return cached.keys;
  if (e.NODE_ENV === "production" && (!e.SUNSHINE_ENCRYPTION_KEY || !e.SUNSHINE_HMAC_KEY)) {
    throw new Error("SUNSHINE_ENCRYPTION_KEY and SUNSHINE_HMAC_KEY are required in production");
  }
  const enc = new Map<string, Buffer>();
  for (const pair of (e.SUNSHINE_OLD_ENCRYPTION_KEYS ?? "").split(",").filter(Boolean)) {
    const [id, hex] = pair.split(":");
    enc.set(id, Buffer.from(hex, "hex"));
  }
  enc.set(
    e.SUNSHINE_ENCRYPTION_KEY_ID,
    e.SUNSHINE_ENCRYPTION_KEY ? Buffer.from(e.SUNSHINE_ENCRYPTION_KEY, "hex") : devKey("encryption"),
  );
  const hmac = e.SUNSHINE_HMAC_KEY ? Buffer.from(e.SUNSHINE_HMAC_KEY, "hex") : devKey("hmac");
  const k = { currentId: e.SUNSHINE_ENCRYPTION_KEY_ID, enc, hmac };
  cached = { source, keys: k };
  return k;
}

export interface Sealed {
  keyId: string;
  /** base64(iv ‖ ciphertext ‖ tag) */
  data: string;
}

/** Encrypt with the current key. `aad` binds the ciphertext to its purpose (it must be given again to open). */
export function seal(plaintext: string, aad: string): Sealed {
  const k = keys();
  const key = k.enc.get(k.currentId)!;
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return { keyId: k.currentId, data: Buffer.concat([iv, ct, cipher.getAuthTag()]).toString("base64") };
}

/** Decrypt with the key named by keyId (current or one of the old keys). Throws on tampering or unknown key. */
export function open(sealed: Sealed, aad: string): string {
  const key = keys().enc.get(sealed.keyId);
  if (!key) throw new Error(`encryption key "${sealed.keyId}" is not configured (SUNSHINE_OLD_ENCRYPTION_KEYS)`);
  const buf = Buffer.from(sealed.data, "base64");
  const decipher = createDecipheriv("aes-256-gcm", key, buf.subarray(0, 12));
  decipher.setAAD(Buffer.from(aad, "utf8"));
  decipher.setAuthTag(buf.subarray(buf.length - 16));
  return Buffer.concat([decipher.update(buf.subarray(12, buf.length - 16)), decipher.final()]).toString("utf8");
}

/** The id of the key new ciphertexts use (rows with another id need re-encryption after a rotation). */
export function currentKeyId() {
  return keys().currentId;
}

/** HMAC-SHA-256 (hex) with the server's HMAC key, domain-separated by `purpose`. */
export function hmacHex(purpose: string, value: string): string {
  return createHmac("sha256", keys().hmac).update(purpose).update("\0").update(value).digest("hex");
}

/** Constant-time comparison of two hex digests of the same length. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}

export function sha256Hex(value: string) {
  return createHash("sha256").update(value).digest("hex");
}
