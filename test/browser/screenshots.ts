import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Locator, Page } from "playwright-core";
import sharp from "sharp";

// Screenshots for the Chinese manuals (docs/zh/img/), taken by the browser tests that walk each task,
// so a changed page changes its manual. Written only when DOCS_SCREENSHOTS=1 (`npm run docs:screenshots`):
// an ordinary test run exercises the same steps without touching the committed images.

export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, "../../docs/zh/img");

/** Phone-sized pages for the citizen guide, a small desktop for the console. */
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1024, height: 768 };

/**
 * Save what the page (its viewport) or one element shows as docs/zh/img/<name>.png. Call it with the
 * name as a string literal: test/unit/docs.test.ts reads the names from the test sources to check that
 * every image a manual links is produced by a test.
 */
export async function shot(target: Page | Locator, name: string): Promise<void> {
  if (process.env.DOCS_SCREENSHOTS !== "1") return;
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`screenshot names are lower-case words and hyphens: ${name}`);
  const raw = await target.screenshot({ animations: "disabled", caret: "hide" });
  // A 128-colour palette keeps Chinese text legible at a fraction of the size of a true-colour PNG.
  const png = await sharp(raw).png({ palette: true, colours: 128, compressionLevel: 9, effort: 10 }).toBuffer();
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await writeFile(path.join(SCREENSHOT_DIR, `${name}.png`), png);
}
