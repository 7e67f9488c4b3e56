import { randomBytes } from "node:crypto";
import { hmacHex, sameDigest } from "../../lib/crypto";

// Receipt codes (查询码): 20 Crockford base-32 characters = 100 random bits, shown as 5 groups of 4
// (e.g. 7KQ2-M9XD-…). Stored only as HMAC-SHA-256 with the server key (not a slow password hash: the
// code is long and random, and a slow hash would cap intake). Typing is forgiving: case, spaces, dashes,
// and the look-alikes O→0, I/L→1 are normalised.

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
export const RECEIPT_BITS = 100;

function encode(bytes: Buffer, chars: number) {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

const group = (code: string) => code.match(/.{1,4}/g)!.join("-");

/** A fresh random receipt code (display form). */
export function newReceipt(): string {
  return group(encode(randomBytes(13), 20));
}

/**
 * The receipt for a submission carrying an Idempotency-Key: derived with the server key from the key
 * itself, so a retried submission gets the same receipt back, while only the key's HMAC (a different,
 * domain-separated one) is stored — the database alone cannot reproduce it.
 */
export function receiptForIdempotencyKey(idempotencyKey: string): string {
  return group(encode(Buffer.from(hmacHex("receipt-from-idempotency-key", idempotencyKey), "hex"), 20));
}

/** Canonical form of what a person typed, or null when it cannot be a receipt. */
export function normalizeReceipt(input: string): string | null {
  const s = input.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
  if (s.length !== 20) return null;
  for (const ch of s) if (!ALPHABET.includes(ch)) return null;
  return s;
}

/** The stored hash of a receipt (any typed form). */
export function hashReceipt(input: string): string {
  return hmacHex("receipt", normalizeReceipt(input) ?? `invalid:${input}`);
}

/** A hash that matches nothing: compared against when the ticket does not exist, so timing is the same. */
export const DUMMY_RECEIPT_HASH = "0".repeat(64);

/** Does `input` match the stored hash (constant time; the HMAC is computed either way). */
export function receiptMatches(input: string, storedHash: string | null | undefined): boolean {
  const computed = hashReceipt(input);
  const ok = sameDigest(computed, storedHash ?? DUMMY_RECEIPT_HASH);
  return ok && !!storedHash;
}

export function hashIdempotencyKey(key: string) {
  return hmacHex("idempotency-key", key);
}
