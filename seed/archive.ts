import { sql } from "drizzle-orm";
import sharp from "sharp";
import { type Db, rows } from "../db/client";
import { storeImage } from "../domain/archive/images";
import { submitPhoto } from "../domain/archive/items";
import { createChapter } from "../domain/archive/yearbook";
import { createHonor, type HonorInput } from "../domain/honors/honors";
import { createPolicy, ensureFoundingDocument } from "../domain/policies/policies";
import { DEMO_CHAPTERS, DEMO_HONORS, DEMO_PHOTOS, DEMO_POLICY } from "./archive-data";

// Demo content for the archive. The founding document itself is real (not demo); the
// yearbook text, the photos and the honour roll are invented and marked is_demo (shown as 演示).

async function count(db: Db, table: string) {
  const [{ n }] = await rows<{ n: number }>(db, sql.raw(`SELECT count(*)::int AS n FROM ${table} WHERE is_demo`));
  return n;
}

/** A simple landscape drawing rendered to JPEG: demo photos need no files in the repository. */
export async function demoPicture(seed: number, width = 1280, height = 853): Promise<Buffer> {
  const palettes = [
    ["#8ec5ff", "#e9f4ff", "#6aa84f", "#3d7a2a", "#c9a227"],
    ["#ffb36b", "#ffe3c2", "#7fa650", "#4d7a34", "#b5651d"],
    ["#9fd3c7", "#f1faee", "#457b5a", "#2a5c3f", "#e76f51"],
    ["#a0c4ff", "#fdfcdc", "#84a98c", "#52796f", "#f4a261"],
  ];
  const [sky, haze, hill, hill2, accent] = palettes[seed % palettes.length];
  const rows2 = Array.from({ length: 7 }, (_, i) => {
    const y = Math.round(height * (0.62 + i * 0.055));
    return `<rect x="0" y="${y}" width="${width}" height="${Math.round(height * 0.03)}" fill="${i % 2 ? hill : hill2}" opacity="0.85"/>`;
  }).join("");
  const houses = Array.from({ length: 5 + (seed % 3) }, (_, i) => {
    const x = Math.round(width * (0.1 + i * 0.15 + (seed % 5) * 0.01));
    const y = Math.round(height * 0.5);
    return `<g><rect x="${x}" y="${y}" width="${Math.round(width * 0.08)}" height="${Math.round(height * 0.08)}" fill="#f5f0e6"/><polygon points="${x - 10},${y} ${x + Math.round(width * 0.04)},${y - Math.round(height * 0.05)} ${x + Math.round(width * 0.08) + 10},${y}" fill="${accent}"/></g>`;
  }).join("");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<defs><linearGradient id="s" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${sky}"/><stop offset="1" stop-color="${haze}"/></linearGradient></defs>
<rect width="100%" height="100%" fill="url(#s)"/>
<circle cx="${Math.round(width * (0.2 + (seed % 4) * 0.18))}" cy="${Math.round(height * 0.18)}" r="${Math.round(height * 0.07)}" fill="#fff7c2"/>
<path d="M0 ${height * 0.55} Q ${width * 0.25} ${height * 0.3} ${width * 0.5} ${height * 0.5} T ${width} ${height * 0.45} V ${height} H 0 Z" fill="${hill}"/>
<path d="M0 ${height * 0.65} Q ${width * 0.35} ${height * 0.5} ${width * 0.7} ${height * 0.62} T ${width} ${height * 0.6} V ${height} H 0 Z" fill="${hill2}"/>
${houses}${rows2}</svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

export async function seedArchiveDemo(db: Db) {
  await ensureFoundingDocument(db);
  if ((await count(db, "policies")) === 0) await createPolicy(db, DEMO_POLICY).then(markPolicyDemo(db));
  if ((await count(db, "yearbook_chapters")) === 0) {
    for (const c of DEMO_CHAPTERS) await createChapter(db, { ...c, isDemo: true }, null);
  }
  if ((await count(db, "honors")) === 0) {
    for (const h of DEMO_HONORS) await createHonor(db, { ...(h as HonorInput), isDemo: true }, null);
  }
  if ((await count(db, "archive_items")) === 0) {
    // Image work in parallel (it dominates the seeding time); rows in order.
    const stored = await Promise.all(DEMO_PHOTOS.map(async (_, i) => storeImage("photos", await demoPicture(i))));
    for (const [i, p] of DEMO_PHOTOS.entries()) {
      await submitPhoto(db, { ...p, consent: true }, new Uint8Array(), {
        isDemo: true,
        approve: true,
        stored: stored[i],
      });
    }
  }
}

function markPolicyDemo(db: Db) {
  return async (p: { id: number }) => {
    await db.execute(sql`UPDATE policies SET is_demo = true WHERE id = ${p.id}`);
  };
}
