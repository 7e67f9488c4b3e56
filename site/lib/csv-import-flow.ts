import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Db } from "../../db/client";
import type { StaffPrincipal } from "../../domain/auth/principal";
import { open, seal } from "../../lib/crypto";
import type { ImportProblem } from "../../lib/csv-import";
import { env } from "../../lib/env";
import { AppError } from "../../lib/errors";

// The two-step CSV import every publisher import page shares: upload → the row-by-row report (a dry
// run: nothing is written) → confirm → the real import (all rows or none). Between the steps the file
// waits under DATA_DIR/import-staging, sealed (AES-GCM: it may hold names and ID numbers), named by a
// random token tied to the publisher's account; it is deleted on commit and swept after a day. The page
// renders the returned state with site/components/publish/CsvImport.astro and sets its status.

export interface ImportCheck {
  encoding: string;
  count: number;
  total?: string | null;
  /** The columns and first rows to preview, personal data already masked. */
  columns: string[];
  rows: { line: number; cells: string[] }[];
}

export interface ImportFlowKind {
  /** Staging file prefix and sealing context, e.g. "fund". */
  name: string;
  /** Dry run: the preview, or an AppError whose details carry { problems, problemCount }. */
  check: (db: Db, buf: Uint8Array) => Promise<ImportCheck>;
  commit: (
    db: Db,
    buf: Uint8Array,
    opts: { fileName: string; actorId: number },
  ) => Promise<{ count: number; total?: string | null; batchId?: number | null }>;
}

export interface ImportFlowState {
  status: number;
  problems: ImportProblem[];
  problemCount: number;
  general: string | null;
  fileError: string | null;
  preview: (ImportCheck & { token: string; fileName: string }) | null;
  committed: { count: number; total: string | null; batchId: number | null; fileName: string } | null;
}

const TOKEN = /^[A-Za-z0-9_-]{24}$/;

function stagingDir() {
  return path.resolve(env().DATA_DIR, "import-staging");
}

async function sweepStaging() {
  try {
    const cutoff = Date.now() - 24 * 3600_000;
    for (const f of await readdir(stagingDir())) {
      const p = path.join(stagingDir(), f);
      if ((await stat(p)).mtimeMs < cutoff) await rm(p, { force: true });
    }
  } catch {}
}

function reported(state: ImportFlowState, err: unknown) {
  if (!(err instanceof AppError)) throw err;
  const d = (err.details ?? {}) as { problems?: ImportProblem[]; problemCount?: number };
  state.status = err.status;
  state.problems = Array.isArray(d.problems) ? d.problems : [];
  state.problemCount = d.problemCount ?? state.problems.length;
  state.general = err.message;
}

/** Handle the page's POST (if any) for this import kind. */
export async function runImportFlow(
  kind: ImportFlowKind,
  ctx: { db: Db; staff: StaffPrincipal; form?: FormData },
): Promise<ImportFlowState> {
  const state: ImportFlowState = {
    status: 200,
    problems: [],
    problemCount: 0,
    general: null,
    fileError: null,
    preview: null,
    committed: null,
  };
  const { form, db, staff } = ctx;
  if (!form) return state;
  const aad = `${kind.name}-import-staging`;
  const staged = (token: string) => path.join(stagingDir(), `${kind.name}-${staff.userId}-${token}.sealed`);
  const step = String(form.get("step") ?? "");
  if (step === "preview") {
    const file = form.get("file");
    if (!file || typeof file !== "object" || !("arrayBuffer" in file) || file.size === 0) {
      state.fileError = "请选择要导入的 CSV 文件";
      state.status = 400;
    } else if (file.size > env().MAX_UPLOAD_BYTES) {
      state.fileError = `文件太大（最大 ${Math.floor(env().MAX_UPLOAD_BYTES / 1048576)} MB）`;
      state.status = 413;
    } else {
      const buf = new Uint8Array(await file.arrayBuffer());
      const fileName = (file.name || "upload.csv").slice(0, 200);
      try {
        const checked = await kind.check(db, buf);
        await sweepStaging();
        await mkdir(stagingDir(), { recursive: true });
        const token = randomBytes(18).toString("base64url");
        await writeFile(staged(token), JSON.stringify(seal(Buffer.from(buf).toString("base64"), aad)));
        state.preview = { ...checked, rows: checked.rows.slice(0, 20), token, fileName };
      } catch (err) {
        reported(state, err);
      }
    }
  } else if (step === "commit") {
    const token = String(form.get("token") ?? "");
    const fileName = String(form.get("fileName") ?? "upload.csv").slice(0, 200);
    let buf: Buffer | null = null;
    if (TOKEN.test(token)) {
      const sealed = await readFile(staged(token), "utf8").catch(() => null);
      buf = sealed ? Buffer.from(open(JSON.parse(sealed), aad), "base64") : null;
    }
    if (!buf) {
      state.general = "待导入的文件已过期或已经导入，请重新上传。";
      state.status = 410;
    } else {
      try {
        const r = await kind.commit(db, new Uint8Array(buf), { fileName, actorId: staff.userId });
        await rm(staged(token), { force: true });
        state.committed = { count: r.count, total: r.total ?? null, batchId: r.batchId ?? null, fileName };
      } catch (err) {
        // Reference data or another import changed in between: report again, nothing written.
        reported(state, err);
      }
    }
  }
  return state;
}
