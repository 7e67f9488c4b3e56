import { type Bytes, equal, fromBase64, toBase64 } from "./bytes";
import { parseCheckpoint } from "./checkpoint";
import { checkTree, sha256 } from "./merkle";
import { NoteError, openNote, parseNote, type VerifierKey } from "./note";
import { cosignatureLine, type NoteSigner } from "./signer";

// C2SP tlog-witness: the add-checkpoint request a log sends (old size, consistency proof, checkpoint)
// and the witness's side of it: check the log's signature, check the new checkpoint is consistent with
// the last one it cosigned for that origin, persist it, and answer with a tlog-cosignature/v1 line.

export const MAX_PROOF_LINES = 63;
/** Content type of a 409 answer: the witness's latest cosigned size. */
export const TLOG_SIZE_TYPE = "text/x.tlog.size";

/** The body of an add-checkpoint request. */
export function formatAddCheckpoint(oldSize: number, proof: Bytes[], note: string): string {
  return `old ${oldSize}\n${proof.map((h) => `${toBase64(h)}\n`).join("")}\n${note}`;
}

export interface AddCheckpointRequest {
  oldSize: number;
  proof: Bytes[];
  note: string;
}

/** Parse an add-checkpoint body; null when malformed. */
export function parseAddCheckpoint(body: string): AddCheckpointRequest | null {
  const blank = body.indexOf("\n\n");
  if (blank < 0) return null;
  const lines = body.slice(0, blank).split("\n");
  const old = /^old (0|[1-9]\d{0,15})$/.exec(lines[0]);
  if (!old || lines.length - 1 > MAX_PROOF_LINES) return null;
  const proof: Bytes[] = [];
  for (const line of lines.slice(1)) {
    const h = fromBase64(line);
    if (h?.length !== 32) return null;
    proof.push(h);
  }
  return { oldSize: Number(old[1]), proof, note: body.slice(blank + 2) };
}

/** What a witness remembers per log: the latest checkpoint it cosigned. */
export interface WitnessedTree {
  size: number;
  /** base64 root hash */
  root: string;
}

export interface WitnessStore {
  get(origin: string): Promise<WitnessedTree | null>;
  set(origin: string, tree: WitnessedTree): Promise<void>;
}

export interface WitnessResponse {
  status: 200 | 400 | 403 | 404 | 409 | 422;
  body: string;
  contentType: string;
}

const EMPTY_ROOT = sha256();
const answer = (status: WitnessResponse["status"], body: string, contentType = "text/plain; charset=utf-8") => ({
  status,
  body: body.endsWith("\n") ? body : `${body}\n`,
  contentType,
});

/**
 * A witness: the logs it follows (their verifier keys, by origin), its cosigner key and its store.
 * Checking the old size and persisting the new tree happen under one lock, so two requests cannot
 * roll the witnessed tree back.
 */
export class Witness {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly o: {
      logs: VerifierKey[];
      cosigner: NoteSigner;
      store: WitnessStore;
      now?: () => number;
    },
  ) {}

  addCheckpoint(body: string): Promise<WitnessResponse> {
    const run = this.queue.then(() => this.add(body));
    this.queue = run.catch(() => {});
    return run;
  }

  private async add(body: string): Promise<WitnessResponse> {
    const req = parseAddCheckpoint(body);
    if (!req) return answer(400, "malformed add-checkpoint request");
    const origin = req.note.slice(0, req.note.indexOf("\n"));
    const keys = this.o.logs.filter((k) => k.name === origin);
    if (keys.length === 0) return answer(404, `unknown log origin ${origin}`);
    let text: string;
    try {
      parseNote(req.note);
      text = await openNote(req.note, keys);
    } catch (err) {
      if (err instanceof NoteError && err.reason === "malformed")
        return answer(400, `malformed checkpoint note: ${err.message}`);
      return answer(403, "no valid signature by the log's key");
    }
    const cp = parseCheckpoint(text);
    if (!cp || cp.origin !== origin) return answer(400, "malformed checkpoint");
    if (req.oldSize > cp.size) return answer(400, `old size ${req.oldSize} is beyond the checkpoint size ${cp.size}`);
    const seen = await this.o.store.get(origin);
    const seenSize = seen?.size ?? 0;
    if (req.oldSize !== seenSize) return answer(409, String(seenSize), TLOG_SIZE_TYPE);
    if (cp.size === 0 && !equal(cp.root, EMPTY_ROOT)) return answer(422, "a tree of size 0 has the empty root");
    if (req.oldSize === 0) {
      if (req.proof.length > 0) return answer(422, "no consistency proof from the empty tree");
    } else {
      const oldRoot = fromBase64(seen?.root ?? "") as Bytes;
      if (req.oldSize === cp.size) {
        if (!equal(oldRoot, cp.root) || req.proof.length > 0) return answer(422, "same size, different root");
      } else if (!checkTree(req.proof, cp.size, cp.root, req.oldSize, oldRoot)) {
        return answer(422, `checkpoint ${cp.size} is not consistent with ${req.oldSize}`);
      }
    }
    await this.o.store.set(origin, { size: cp.size, root: toBase64(cp.root) });
    const now = Math.floor((this.o.now?.() ?? Date.now()) / 1000);
    return answer(200, cosignatureLine(this.o.cosigner, text, now));
  }
}
