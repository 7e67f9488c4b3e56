// Open311 read benchmark, on the PostgreSQL server: the public listing GET /open311/v2/requests.json
// (default 90-day window, newest first, ≤ 1000) and GET requests/{id}.json, in process through the
// Hono app (serialisation included), over a database of its own with N existing tickets.
// Usage: npx tsx bench/open311.ts [--tickets 300000] [--runs 40]   (inserting 300k tickets took ~6 min here:
// the hotline statistics trigger runs per row)
// Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/sunshine_bench_b2).
import { sql } from "drizzle-orm";
import { open311 } from "../api/open311/app";
import { openDatabase, rows, setDatabase } from "../db/client";
import { migrate } from "../db/migrate";
import { fileTicket } from "../domain/hotline/filing";
import { seedReference } from "../seed/reference";
import { createServerDatabase } from "../test/support/db";

const args = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const N = arg("tickets", 300_000);
const RUNS = arg("runs", 40);
const base = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/sunshine_bench_b2";
const admin = new URL(base);
const name = admin.pathname.slice(1);
admin.pathname = "/postgres";

const url = await createServerDatabase(admin.toString(), name);
const database = await openDatabase({ url, poolMax: 5 });
await migrate(database);
await seedReference(database.db);
setDatabase(database);
const db = database.db;

const kinds = ["complaint", "report", "opinion", "inquiry"];
for (const [i, district] of ["高青县", "沂源县", "淄川区", "博山区"].entries()) {
  await fileTicket(
    db,
    {
      kind: kinds[i] as "complaint",
      category: ["housing", "misconduct", "health", "employment"][i],
      title: `基准 ${i}`,
      description: "基准测试用的反映内容。",
      district,
      reporter: { anonymous: true },
    },
    { channel: "api" },
  );
}
// Clone the four templates into N tickets spread over the last two years (newest first numbering).
const cols = (
  await rows<{ column_name: string }>(
    db,
    sql`SELECT column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'tickets' AND is_generated = 'NEVER'
          AND column_name NOT IN ('id', 'number', 'received_at', 'receipt_hash', 'idempotency_key_hash')
        ORDER BY ordinal_position`,
  )
).map((r) => `"${r.column_name}"`);
const list = cols.join(", ");
const started = Date.now();
await database.exec(`
  INSERT INTO tickets (number, received_at, receipt_hash, idempotency_key_hash, ${list})
  SELECT 'ZB-B-' || lpad(g::text, 7, '0'), now() - (g * interval '210 seconds'), md5(g::text), NULL, ${cols.map((c) => `t.${c}`).join(", ")}
  FROM generate_series(1, ${N}) g JOIN tickets t ON t.id = 1 + (g % 4);
  ANALYZE tickets;`);
console.log(`${N} tickets inserted in ${((Date.now() - started) / 1000).toFixed(1)} s`);

async function time(label: string, path: string) {
  const ms: number[] = [];
  let bytes = 0;
  let count = "-";
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const res = await open311.request(path);
    const text = await res.text();
    ms.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text.slice(0, 200)}`);
    bytes = text.length;
    if (/\.json(\?|$)/.test(path)) count = String((JSON.parse(text) as unknown[]).length);
  }
  ms.sort((a, b) => a - b);
  const p = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))].toFixed(1);
  console.log(`${label.padEnd(44)} p50 ${p(0.5)} ms  p95 ${p(0.95)} ms  (${count} requests, ${bytes} bytes)`);
}

const one = `ZB-B-${String(Math.floor(N / 2)).padStart(7, "0")}`;
await time("requests.json (last 90 days, ≤1000)", "/open311/v2/requests.json");
await time("requests.xml (last 90 days, ≤1000)", "/open311/v2/requests.xml");
await time("requests.json?status=closed", "/open311/v2/requests.json?status=closed");
await time("requests.json?service_code=report-misconduct", "/open311/v2/requests.json?service_code=report-misconduct");
await time(`requests/${one}.json`, `/open311/v2/requests/${one}.json`);
await time("services.json", "/open311/v2/services.json");
console.log("(figures are noisy when other work shares the machine)");
await database.close();
process.exit(0);
