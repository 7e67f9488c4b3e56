import { env } from "./env";

// Decoding an image costs memory in proportion to its pixels (4 bytes each), whatever its file size: a
// 250 KB PNG can declare 8000×8000. So uploads are refused above IMAGE_MAX_PIXELS (a phone camera's
// full-resolution photo fits; the header is read before any decoding), and at most
// IMAGE_DECODE_CONCURRENCY images are decoded at once per process — the rest wait their turn.

export function maxImagePixels(): number {
  return env().IMAGE_MAX_PIXELS;
}

/** "5000 万" for messages. */
export function maxImagePixelsLabel(): string {
  return `${Math.floor(maxImagePixels() / 10_000)} 万`;
}

let active = 0;
const waiting: (() => void)[] = [];

/** Run `work` (which decodes an image) when a decoding slot is free. */
export async function withDecodeSlot<T>(work: () => Promise<T>): Promise<T> {
  if (active >= env().IMAGE_DECODE_CONCURRENCY) {
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else {
    active++;
  }
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    // The slot passes straight to the next waiter; otherwise it is freed.
    if (next) next();
    else active--;
  }
}

/** How many decodes are running and waiting (for tests and metrics). */
export function decodeQueue() {
  return { active, waiting: waiting.length };
}
