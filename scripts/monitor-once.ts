import { closeAdvisoryLocks } from "../db/advisory-lock";
import { closeDatabase } from "../db/client";
import { runMonitorRound } from "../domain/monitor/fetcher";
import { prepare } from "../server/boot";

// npm run monitor:once — fetch every enabled monitoring source once (whatever its schedule) and print
// what each gave: entries seen, items caught, or the error on its health line. Safe while the server
// runs: a round in progress elsewhere makes this one say so and do nothing.
const { db } = await prepare();
const report = await runMonitorRound(db, { all: true });
if (!report.ran) {
  console.log("monitor: a fetch round is already running (on this or another node); nothing done");
} else if (report.sources.length === 0) {
  console.log("monitor: no enabled sources (add them in /console/monitor/sources or MONITOR_SOURCES_FILE)");
} else {
  for (const s of report.sources) {
    const what = s.ok
      ? s.notModified
        ? "not modified (304)"
        : `${s.seen} entries, ${s.caught} new items caught`
      : `FAILED: ${s.error}`;
    console.log(`#${s.sourceId} ${s.name}: ${what} (${s.ms} ms)`);
  }
  const caught = report.sources.reduce((n, s) => n + s.caught, 0);
  const failed = report.sources.filter((s) => !s.ok).length;
  console.log(`monitor: ${report.sources.length} sources, ${failed} failed, ${caught} new items in ${report.ms} ms`);
}
await closeAdvisoryLocks();
await closeDatabase();
