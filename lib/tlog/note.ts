import { type Bytes, concat, equal, fromBase64, toBase64, utf8 } from "./bytes";

// C2SP signed-note: parsing, formatting and verification with WebCrypto only, so the very same code
// checks notes on the server, in `npm run log:verify` and in the citizen's browser. Signing lives in
// signer.ts (node:crypto).

/** Signature types (signed-note §Signature types). */
export const ALG_ED25519 = 0x01;
export const ALG_COSIGNATURE_V1 = 0x04;

export interface NoteSignature {
  name: string;
  keyId: number;
  /** The signature bytes after the 4-byte key ID. */
  sig: Bytes;
}

export interface ParsedNote {
  /** The note text, ending in a newline. */
  text: string;
  sigs: NoteSignature[];
}

export interface VerifierKey {
  name: string;
  keyId: number;
  alg: number;
  publicKey: Bytes;
  /** The key as written: <name>+<hex key ID>+<base64(alg ‖ key)>. */
  vkey: string;
}

export class NoteError extends Error {
  constructor(
    /** Stable reason: malformed | unknown-key | bad-signature | key-hash. */
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

const MAX_SIGNATURES = 100;

/** Key names: non-empty, no Unicode spaces, no plus. */
export const isValidKeyName = (name: string) => name.length > 0 && !/[\s+]/u.test(name);

export async function sha256Async(data: Bytes): Promise<Bytes> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data as BufferSource));
}

/** Key ID = first 4 bytes (big-endian) of SHA-256(name ‖ "\n" ‖ type ‖ public key). */
export async function keyIdOf(name: string, alg: number, publicKey: Bytes): Promise<number> {
  const h = await sha256Async(concat(utf8(`${name}\n`), Uint8Array.of(alg), publicKey));
  return ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0;
}

export const hex8 = (id: number) => id.toString(16).padStart(8, "0");

/** Parse and check a verifier key (the hash must match the name and key). */
export async function parseVerifierKey(vkey: string): Promise<VerifierKey> {
  const k = vkey.trim();
  const a = k.indexOf("+");
  const b = a < 0 ? -1 : k.indexOf("+", a + 1);
  const parts = b < 0 ? [] : [k.slice(0, a), k.slice(a + 1, b), k.slice(b + 1)];
  if (parts.length !== 3 || !isValidKeyName(parts[0]) || !/^[0-9a-f]{8}$/.test(parts[1])) {
    throw new NoteError("malformed", "verifier key must be <name>+<8 hex>+<base64>");
  }
  const raw = fromBase64(parts[2]);
  if (!raw || raw.length < 2) throw new NoteError("malformed", "verifier key: bad base64 key");
  const alg = raw[0];
  const publicKey = raw.slice(1);
  if ((alg === ALG_ED25519 || alg === ALG_COSIGNATURE_V1) && publicKey.length !== 32) {
    throw new NoteError("malformed", "verifier key: an Ed25519 key is 32 bytes");
  }
  const keyId = Number.parseInt(parts[1], 16);
  if ((await keyIdOf(parts[0], alg, publicKey)) !== keyId) {
    throw new NoteError("key-hash", "verifier key: key ID does not match name and key");
  }
  return { name: parts[0], keyId, alg, publicKey, vkey: vkey.trim() };
}

/** Verifier key string for an Ed25519 public key. */
export async function verifierKeyString(name: string, alg: number, publicKey: Bytes): Promise<string> {
  return `${name}+${hex8(await keyIdOf(name, alg, publicKey))}+${toBase64(concat(Uint8Array.of(alg), publicKey))}`;
}

/** Split a signed note into text and signature lines; throws NoteError("malformed") on any defect. */
export function parseNote(note: string): ParsedNote {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the spec forbids these characters
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note)) throw new NoteError("malformed", "note contains control characters");
  if (!note.endsWith("\n")) throw new NoteError("malformed", "note does not end with a newline");
  const split = note.lastIndexOf("\n\n");
  if (split < 0) throw new NoteError("malformed", "note has no signature block");
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split("\n");
  if (lines.length > MAX_SIGNATURES) throw new NoteError("malformed", "too many signatures");
  const sigs: NoteSignature[] = [];
  for (const line of lines) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/u.exec(line);
    if (!m || !isValidKeyName(m[1])) throw new NoteError("malformed", "malformed signature line");
    const raw = fromBase64(m[2]);
    if (!raw || raw.length < 5) throw new NoteError("malformed", "malformed signature");
    const keyId = ((raw[0] << 24) | (raw[1] << 16) | (raw[2] << 8) | raw[3]) >>> 0;
    sigs.push({ name: m[1], keyId, sig: raw.slice(4) });
  }
  return { text, sigs };
}

export function signatureLine(name: string, keyId: number, sig: Bytes): string {
  const id = Uint8Array.of(keyId >>> 24, (keyId >>> 16) & 0xff, (keyId >>> 8) & 0xff, keyId & 0xff);
  return `\u2014 ${name} ${toBase64(concat(id, sig))}\n`;
}

async function ed25519Verify(publicKey: Bytes, sig: Bytes, msg: Bytes): Promise<boolean> {
  if (sig.length !== 64) return false;
  try {
    const key = await crypto.subtle.importKey("raw", publicKey as BufferSource, { name: "Ed25519" }, false, ["verify"]);
    return await crypto.subtle.verify("Ed25519", key, sig as BufferSource, msg as BufferSource);
  } catch {
    return false;
  }
}

/** The message a tlog-cosignature/v1 (type 0x04) signs. */
export const cosignedMessage = (noteText: string, time: number) => utf8(`cosignature/v1\ntime ${time}\n${noteText}`);

export interface SignatureCheck {
  key: VerifierKey;
  ok: boolean;
  /** Cosignature timestamp (POSIX seconds), for type 0x04. */
  time?: number;
}

/**
 * Check a note's signatures by the given keys. Signatures by unknown keys are ignored (as the spec
 * requires); one check per known key that signed.
 */
export async function checkNoteSignatures(note: ParsedNote, keys: VerifierKey[]): Promise<SignatureCheck[]> {
  const out: SignatureCheck[] = [];
  for (const s of note.sigs) {
    const key = keys.find((k) => k.name === s.name && k.keyId === s.keyId);
    if (!key) continue;
    if (key.alg === ALG_ED25519) {
      out.push({ key, ok: await ed25519Verify(key.publicKey, s.sig, utf8(note.text)) });
    } else if (key.alg === ALG_COSIGNATURE_V1) {
      if (s.sig.length !== 72) {
        out.push({ key, ok: false });
        continue;
      }
      const view = new DataView(s.sig.buffer, s.sig.byteOffset, 8);
      const time = Number(view.getBigUint64(0));
      const ok = await ed25519Verify(key.publicKey, s.sig.slice(8), cosignedMessage(note.text, time));
      out.push({ key, ok, time });
    } else {
      out.push({ key, ok: false });
    }
  }
  return out;
}

/** Open a note: every known signature must verify and at least one must exist; returns the text. */
export async function openNote(note: string, keys: VerifierKey[]): Promise<string> {
  const parsed = parseNote(note);
  const checks = await checkNoteSignatures(parsed, keys);
  if (checks.some((c) => !c.ok)) throw new NoteError("bad-signature", "a signature by a known key does not verify");
  if (checks.length === 0) throw new NoteError("unknown-key", "no signature by a known key");
  return parsed.text;
}

export { equal };
