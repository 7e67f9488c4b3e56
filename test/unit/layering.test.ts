import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The layering rules live in biome.json (noRestrictedImports per folder) and run with `npm run check`.
// This proves they bite: the rules, copied from biome.json into a scratch project, lint one file per
// layer that makes a forbidden import and one that makes an allowed import. No file of the project is
// exempt from the rules (biome.json has no ignore for them), so a wrong import anywhere fails `npm test`.
const BIOME = path.resolve("node_modules/.bin/biome");

const wrong: Record<string, string> = {
  "domain/hotline/http.ts": 'import { envelope } from "../../api/errors";\nexport const a = envelope;\n',
  "domain/funds/seeded.ts": 'import { seedReference } from "../../seed/reference";\nexport const a = seedReference;\n',
  "search/content.ts": 'import { listNotices } from "../domain/notices/notices";\nexport const a = listNotices;\n',
  "db/verbs.ts": 'import { fileTicket } from "../domain/hotline/filing";\nexport const a = fileTicket;\n',
  "lib/reads-db.ts": 'import { getDb } from "../db/client";\nexport const a = getDb;\n',
  "storage/verbs.ts": 'import { fileTicket } from "../domain/hotline/filing";\nexport const a = fileTicket;\n',
  "seed/pages.ts": 'import { staffPage } from "../site/lib/staff-page";\nexport const a = staffPage;\n',
  "api/routes/boot.ts": 'import { prepare } from "../../server/boot";\nexport const a = prepare;\n',
  "site/pages/sql.ts": 'import { sql } from "drizzle-orm";\nexport const a = sql;\n',
  "site/pages/tables.astro": '---\nimport { notices } from "../../db/schema";\n---\n<p>{String(notices)}</p>\n',
  "site/pages/locks.ts":
    'import { withAdvisoryLock } from "../../db/advisory-lock";\nexport const a = withAdvisoryLock;\n',
  "site/pages/envelope.astro": '---\nimport { envelope } from "../../api/errors";\n---\n<p>{String(envelope)}</p>\n',
  "site/pages/api/sql.ts": 'import { migrate } from "../../../db/migrate";\nexport const a = migrate;\n',
  "lib/fixture.ts": 'import { seedDb } from "../test/support/db";\nexport const a = seedDb;\n',
};
const allowed: Record<string, string> = {
  "domain/hotline/ok.ts": 'import { AppError } from "../../lib/errors";\nexport const a = AppError;\n',
  "site/pages/ok.ts": 'import { getDb } from "../../db/client";\nexport const a = getDb;\n',
  "site/pages/api/[...path].ts": 'import { app } from "../../../api/app";\nexport const a = app;\n',
  "site/pages/open311/[...path].ts":
    'import { clientBindings } from "../../../api/middleware/client";\nimport { open311 } from "../../../api/open311/app";\nexport const a = [clientBindings, open311];\n',
  "site/lib/read-db.ts": 'import { readDb } from "../../db/replica";\nexport const a = readDb;\n',
  "lib/tlog/uses-lib.ts": 'import { AppError } from "../errors";\nexport const a = AppError;\n',
};

let dir: string;
let report: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "sunshine-layering-"));
  const config = JSON.parse(readFileSync("biome.json", "utf8"));
  const scratch = {
    linter: { enabled: true, rules: { preset: "none" } },
    html: config.html,
    overrides: config.overrides,
  };
  writeFileSync(path.join(dir, "biome.json"), JSON.stringify(scratch));
  for (const [file, source] of Object.entries({ ...wrong, ...allowed })) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), source);
  }
  try {
    report = execFileSync(BIOME, ["lint", "--max-diagnostics=1000", "."], {
      cwd: dir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    report = `${e.stdout ?? ""}${e.stderr ?? ""}`;
  }
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("layering rules (biome.json)", () => {
  it.each(Object.keys(wrong))("refuses the wrong import in %s", (file) => {
    expect(report).toMatch(new RegExp(`${file.replace(/[.[\]]/g, "\\$&")}:\\d+:\\d+ lint/style/noRestrictedImports`));
  });

  it.each(Object.keys(allowed))("accepts the allowed import in %s", (file) => {
    expect(report).not.toContain(`${file}:`);
  });
});
