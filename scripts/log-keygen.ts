// npm run log:keygen [name] [--cosigner]
// A new Ed25519 note signer key for the transparency log (SUNSHINE_LOG_KEY; name = SUNSHINE_LOG_ORIGIN),
// or with --cosigner a witness's cosignature key (type 0x04). Prints the secret signer key and the public
// verifier key; keep the first secret, publish the second.
import { ALG_COSIGNATURE_V1, ALG_ED25519 } from "../lib/tlog/note";
import { parseSignerKey, signerKeyString } from "../lib/tlog/signer";

const args = process.argv.slice(2);
const name = args.find((a) => !a.startsWith("--")) ?? process.env.SUNSHINE_LOG_ORIGIN ?? "zibo.sunshine.gov.cn/log";
const skey = signerKeyString(name, undefined, args.includes("--cosigner") ? ALG_COSIGNATURE_V1 : ALG_ED25519);
console.log(`signer key (secret):   ${skey}`);
console.log(`verifier key (public): ${parseSignerKey(skey).vkey}`);
