import { type Bytes, fromBase64, toBase64 } from "./bytes";

// C2SP tlog-checkpoint note text: origin, tree size, base64 root hash, then optional extension lines.

export interface Checkpoint {
  origin: string;
  size: number;
  root: Bytes;
  extensions: string[];
}

export function formatCheckpoint(c: Omit<Checkpoint, "extensions"> & { extensions?: string[] }): string {
  return [c.origin, String(c.size), toBase64(c.root), ...(c.extensions ?? [])].map((l) => `${l}\n`).join("");
}

/** Parse a checkpoint's note text; null when it is not one. */
export function parseCheckpoint(text: string): Checkpoint | null {
  if (!text.endsWith("\n")) return null;
  const lines = text.slice(0, -1).split("\n");
  if (lines.length < 3 || lines.some((l) => l === "")) return null;
  const [origin, size, root, ...extensions] = lines;
  if (!/^(0|[1-9]\d{0,15})$/.test(size) || !Number.isSafeInteger(Number(size))) return null;
  const hash = fromBase64(root);
  if (hash?.length !== 32) return null;
  return { origin, size: Number(size), root: hash, extensions };
}
