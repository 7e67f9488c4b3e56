import { createHash, createPrivateKey, createPublicKey, randomBytes, sign } from "node:crypto";
import { type Bytes, concat, fromBase64, toBase64, utf8 } from "./bytes";
import { ALG_COSIGNATURE_V1, ALG_ED25519, hex8, isValidKeyName, signatureLine } from "./note";

// Ed25519 note signers with node:crypto. Key strings are exactly Go's golang.org/x/mod/sumdb/note:
//   signer   PRIVATE+KEY+<name>+<hex key ID>+base64(0x01 ‖ 32-byte seed)
//   verifier <name>+<hex key ID>+base64(0x01 ‖ 32-byte public key)
// A cosigner (tlog-cosignature, type 0x04) uses the same shapes with type byte 0x04.

export interface NoteSigner {
  name: string;
  keyId: number;
  alg: number;
  publicKey: Bytes;
  /** The verifier key string for this signer. */
  vkey: string;
  sign(msg: Bytes): Bytes;
}

const PKCS8_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

function keyIdSync(name: string, alg: number, publicKey: Bytes): number {
  const h = createHash("sha256")
    .update(utf8(`${name}\n`))
    .update(Uint8Array.of(alg))
    .update(publicKey)
    .digest();
  return h.readUInt32BE(0);
}

function fromSeed(name: string, alg: number, seed: Bytes): NoteSigner {
  const privateKey = createPrivateKey({
    key: Buffer.from(concat(PKCS8_ED25519_PREFIX, seed)),
    format: "der",
    type: "pkcs8",
  });
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  const publicKey = new Uint8Array(spki.subarray(spki.length - 32));
  const keyId = keyIdSync(name, alg, publicKey);
  return {
    name,
    keyId,
    alg,
    publicKey,
    vkey: `${name}+${hex8(keyId)}+${toBase64(concat(Uint8Array.of(alg), publicKey))}`,
    sign: (msg) => new Uint8Array(sign(null, msg, privateKey)),
  };
}

/** Split at the first count-1 plus signs (base64 itself may contain "+"). */
function splitPlus(s: string, count: number): string[] | null {
  const out: string[] = [];
  let rest = s;
  for (let i = 0; i < count - 1; i++) {
    const at = rest.indexOf("+");
    if (at < 0) return null;
    out.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  return [...out, rest];
}

export class SignerKeyError extends Error {}

/** Parse a signer key string (Go's note.NewSigner format); throws SignerKeyError. */
export function parseSignerKey(skey: string): NoteSigner {
  const parts = splitPlus(skey.trim(), 5);
  if (parts?.[0] !== "PRIVATE" || parts[1] !== "KEY") {
    throw new SignerKeyError("signer key must be PRIVATE+KEY+<name>+<hex id>+<base64>");
  }
  const [, , name, id, b64] = parts;
  if (!isValidKeyName(name) || !/^[0-9a-f]{8}$/.test(id)) throw new SignerKeyError("signer key: bad name or id");
  const raw = fromBase64(b64);
  if (raw?.length !== 33 || (raw[0] !== ALG_ED25519 && raw[0] !== ALG_COSIGNATURE_V1)) {
    throw new SignerKeyError("signer key: expected an Ed25519 seed");
  }
  const signer = fromSeed(name, raw[0], raw.slice(1));
  if (signer.keyId !== Number.parseInt(id, 16)) throw new SignerKeyError("signer key: key ID does not match");
  return signer;
}

/** A signer key string for a seed (random when omitted). */
export function signerKeyString(name: string, seed: Bytes = randomBytes(32), alg = ALG_ED25519): string {
  if (!isValidKeyName(name)) throw new SignerKeyError("key name must be non-empty, without spaces or +");
  const s = fromSeed(name, alg, seed);
  return `PRIVATE+KEY+${name}+${hex8(s.keyId)}+${toBase64(concat(Uint8Array.of(alg), seed))}`;
}

/** A signed note: the text followed by one Ed25519 signature line per signer. */
export function signNote(text: string, signers: NoteSigner[]): string {
  if (!text.endsWith("\n")) throw new Error("note text must end with a newline");
  return `${text}\n${signers.map((s) => signatureLine(s.name, s.keyId, s.sign(utf8(text)))).join("")}`;
}

/** A tlog-cosignature/v1 signature line over a checkpoint's note text at `time` (POSIX seconds). */
export function cosignatureLine(cosigner: NoteSigner, noteText: string, time: number): string {
  const ts = new Uint8Array(8);
  new DataView(ts.buffer).setBigUint64(0, BigInt(time));
  const sig = cosigner.sign(utf8(`cosignature/v1\ntime ${time}\n${noteText}`));
  return signatureLine(cosigner.name, cosigner.keyId, concat(ts, sig));
}
