import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { closeDatabase } from "../db/client";
import { userIdByUsername } from "../domain/auth/users";
import { type ImportProblem, importAllocations, parseImportFile, validateImport } from "../domain/funds/import";
import { AppError } from "../lib/errors";
import { prepare } from "../server/boot";

// npm run import:funds -- file.csv [--as <username>] [--dry-run]
// Imports fund allocations from a CSV (UTF-8 or GBK): every row is validated first; any problem
// rejects the whole file with a row-by-row report; a good file goes in in one transaction.

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith("--") && args[args.indexOf(a) - 1] !== "--as");
const asUser = args.includes("--as") ? args[args.indexOf("--as") + 1] : undefined;
const dryRun = args.includes("--dry-run");
if (!file || args.includes("--help")) {
  console.error("用法：npm run import:funds -- 文件.csv [--as 用户名] [--dry-run]");
  console.error("表头：年度,资金级次,资金名称,文号,区县,镇办,村,项目,类别,金额,用途（可选：发布日期）");
  process.exit(file ? 0 : 2);
}
const MAX_BYTES = 500 * 1024 * 1024;
let size: number;
try {
  size = statSync(file).size;
} catch {
  console.error(`找不到文件：${file}`);
  process.exit(2);
}
if (size > MAX_BYTES) {
  console.error(`文件过大（${Math.round(size / 1048576)} MB），命令行导入上限为 500 MB`);
  process.exit(2);
}

const tty = process.stderr.isTTY;
let lastDraw = 0;
function progress(phase: "validate" | "insert", done: number, total: number) {
  const now = Date.now();
  if (done < total && now - lastDraw < 100) return;
  lastDraw = now;
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : width;
  const label = phase === "validate" ? "校验" : "写入";
  const line = `${label} [${"█".repeat(filled)}${"░".repeat(width - filled)}] ${total ? Math.floor((done / total) * 100) : 100}% ${done}/${total}`;
  if (tty) process.stderr.write(`\r${line}${done === total ? "\n" : ""}`);
  else if (done === total) process.stderr.write(`${line}\n`);
}

function printProblems(problems: ImportProblem[], count: number) {
  console.error("行号\t列\t内容\t问题\t应为");
  for (const p of problems) {
    console.error([p.row || "—", p.column ?? "—", p.value ?? "", p.problem, p.expected ?? ""].join("\t"));
  }
  if (count > problems.length) console.error(`……另有 ${count - problems.length} 处问题未列出`);
}

const { db } = await prepare();
try {
  let actorId: number | null = null;
  if (asUser) {
    actorId = await userIdByUsername(db, asUser);
    if (actorId === null) throw new AppError("VALIDATION_FAILED", `没有用户 ${asUser}`);
  }
  const bytes = readFileSync(file);
  if (dryRun) {
    const parsed = parseImportFile(bytes);
    const { values, total } = await validateImport(db, parsed, progress);
    console.log(`校验通过（${parsed.encoding}）：${values.length} 行，合计 ${total} 元。未写入（--dry-run）。`);
  } else {
    const r = await importAllocations(db, bytes, { fileName: path.basename(file), actorId, onProgress: progress });
    console.log(`已导入 ${r.count} 行（${r.encoding}），合计 ${r.total} 元，批次 ${r.batchId}。`);
  }
} catch (err) {
  if (err instanceof AppError) {
    if (tty) process.stderr.write("\n");
    console.error(`未导入：${err.message}`);
    const d = err.details as { problems?: ImportProblem[]; problemCount?: number } | undefined;
    if (d?.problems) printProblems(d.problems, d.problemCount ?? d.problems.length);
    process.exitCode = 1;
  } else throw err;
} finally {
  await closeDatabase();
}
