import { type Bytes, concat, equal, toHex } from "./bytes";
import { parseCheckpoint } from "./checkpoint";
import { commitmentMessage, decodeEntry, type LogEntry, type TicketContent } from "./leaf-format";
import { checkNoteSignatures, NoteError, parseNote, parseVerifierKey, sha256Async, type VerifierKey } from "./note";
import { ProofFormatError, parseProof } from "./proof";

// Offline verification of a Sunshine tlog-proof with WebCrypto only: the server's /verify page, the
// `log:verify` command and the browser run this same code. Each step is reported separately so a
// person sees which check failed.

export type CheckId = "format" | "origin" | "signature" | "witnesses" | "entry" | "inclusion" | "content";

export interface Check {
  id: CheckId;
  ok: boolean;
  /** Plain Chinese: what was checked and what came out. */
  message: string;
}

export interface VerifyResult {
  ok: boolean;
  checks: Check[];
  index?: number;
  treeSize?: number;
  entry?: LogEntry | null;
  leafHash?: string;
}

export interface VerifyOptions {
  /** The log's verifier key (<name>+<hex>+<base64>). */
  logKey: string;
  /** The origin line the checkpoint must carry. */
  origin: string;
  /** Witness verifier keys (type 0x04) whose cosignatures count. */
  witnessKeys?: string[];
  /** Optional: the ticket content and salt, to open the entry's commitment. */
  content?: TicketContent;
  salt?: Bytes;
}

const LEAF = Uint8Array.of(0x00);
const NODE = Uint8Array.of(0x01);
const nodeHash = (l: Bytes, r: Bytes) => sha256Async(concat(NODE, l, r));

function maxpow2(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

async function runRecordProof(p: Bytes[], lo: number, hi: number, n: number, leaf: Bytes): Promise<Bytes | null> {
  if (lo + 1 === hi) return p.length === 0 ? leaf : null;
  if (p.length === 0) return null;
  const k = maxpow2(hi - lo);
  const last = p[p.length - 1];
  if (n < lo + k) {
    const th = await runRecordProof(p.slice(0, -1), lo, lo + k, n, leaf);
    return th && nodeHash(th, last);
  }
  const th = await runRecordProof(p.slice(0, -1), lo + k, hi, n, leaf);
  return th && nodeHash(last, th);
}

/** RFC 6962 inclusion check with WebCrypto. */
export async function checkInclusion(p: Bytes[], size: number, root: Bytes, index: number, leafHash: Bytes) {
  if (!(index >= 0 && index < size)) return false;
  const r = await runRecordProof(p, 0, size, index, leafHash);
  return r !== null && equal(r, root);
}

export async function verifyProof(text: string, opts: VerifyOptions): Promise<VerifyResult> {
  const checks: Check[] = [];
  const fail = (id: CheckId, message: string): VerifyResult => {
    checks.push({ id, ok: false, message });
    return { ok: false, checks };
  };

  let proof: ReturnType<typeof parseProof>;
  try {
    proof = parseProof(text);
  } catch (err) {
    const why = err instanceof ProofFormatError ? err.message : "unreadable";
    return fail("format", `证明文件格式不对，无法读取（${why}）。请确认上传的是完整的 .tlog-proof 文件。`);
  }
  checks.push({ id: "format", ok: true, message: "证明文件格式正确（c2sp.org/tlog-proof@v1）。" });

  let note: ReturnType<typeof parseNote>;
  try {
    note = parseNote(proof.checkpoint);
  } catch (err) {
    return fail("format", `证明里的检查点（checkpoint）格式不对（${(err as Error).message}）。`);
  }
  const cp = parseCheckpoint(note.text);
  if (!cp) return fail("format", "证明里的检查点（checkpoint）内容不完整。");
  if (cp.origin !== opts.origin) {
    return fail("origin", `检查点来自“${cp.origin}”，不是本日志（${opts.origin}）。`);
  }
  checks.push({ id: "origin", ok: true, message: `检查点属于本日志（${opts.origin}）。` });

  let logKey: VerifierKey;
  try {
    logKey = await parseVerifierKey(opts.logKey);
  } catch (err) {
    return fail("signature", `日志公钥不可用（${err instanceof NoteError ? err.message : "invalid"}）。`);
  }
  const sigChecks = await checkNoteSignatures(note, [logKey]);
  if (sigChecks.length === 0) return fail("signature", "检查点没有本日志公钥的签名。");
  if (!sigChecks[0].ok) return fail("signature", "检查点的签名不正确：检查点或签名被改动过。");
  checks.push({
    id: "signature",
    ok: true,
    message: `检查点由本日志签名：日志当时共有 ${cp.size} 条记录，根哈希已签名确认。`,
  });

  if (opts.witnessKeys?.length) {
    const keys: VerifierKey[] = [];
    for (const k of opts.witnessKeys) {
      try {
        keys.push(await parseVerifierKey(k));
      } catch {}
    }
    const cos = await checkNoteSignatures(note, keys);
    const good = cos.filter((c) => c.ok).length;
    if (cos.some((c) => !c.ok)) return fail("witnesses", "有见证方的联署签名不正确。");
    checks.push({
      id: "witnesses",
      ok: true,
      message: `见证方联署：${good} 个有效（共配置 ${keys.length} 个见证方）。`,
    });
  }

  if (!proof.extra) return fail("entry", "证明中没有附带日志条目（extra 行），无法计算叶子哈希。");
  const entry = decodeEntry(proof.extra);
  const leafHash = await sha256Async(concat(LEAF, proof.extra));
  const base = { index: proof.index, treeSize: cp.size, entry, leafHash: toHex(leafHash) };
  if (!entry) {
    checks.push({ id: "entry", ok: false, message: "附带的日志条目不是本系统的条目格式。" });
    return { ok: false, checks, ...base };
  }
  checks.push({ id: "entry", ok: true, message: describeEntry(entry) });

  if (proof.index >= cp.size) {
    checks.push({ id: "inclusion", ok: false, message: `条目序号 ${proof.index} 超出检查点的记录数 ${cp.size}。` });
    return { ok: false, checks, ...base };
  }
  const included = await checkInclusion(proof.proof, cp.size, cp.root, proof.index, leafHash);
  checks.push(
    included
      ? {
          id: "inclusion",
          ok: true,
          message: `包含证明成立：这条记录是日志第 ${proof.index + 1} 条（序号 ${proof.index}）。`,
        }
      : { id: "inclusion", ok: false, message: "包含证明不成立：条目或证明哈希被改动过，与签名的根哈希对不上。" },
  );
  if (!included) return { ok: false, checks, ...base };

  if (opts.content && opts.salt) {
    if (entry.type !== "ticket.filed" || !("commitment" in entry)) {
      checks.push({ id: "content", ok: false, message: "这条记录不是一次举报登记，没有内容承诺可核对。" });
      return { ok: false, checks, ...base };
    }
    const c = toHex(await sha256Async(commitmentMessage(opts.content, opts.salt)));
    const same = c === entry.commitment;
    checks.push(
      same
        ? { id: "content", ok: true, message: "内容核对一致：提供的标题、内容和盐值正是登记时承诺的内容。" }
        : { id: "content", ok: false, message: "内容核对不一致：提供的内容或盐值与登记时的承诺不符。" },
    );
    if (!same) return { ok: false, checks, ...base };
  }
  return { ok: true, checks, ...base };
}

const KIND: Record<string, string> = {
  "ticket.filed": "举报登记",
};

export function describeEntry(e: LogEntry): string {
  if (e.type === "ticket.filed" && "ticket" in e) {
    return `条目：${KIND[e.type]}，编号 ${e.ticket}，登记时间 ${e.time}，区县 ${e.district}，类别 ${e.category}。`;
  }
  if ("id" in e) return `条目：${e.type}，记录 ${e.id} 第 ${e.version} 版，时间 ${e.time}。`;
  return `条目：${e.type}。`;
}
