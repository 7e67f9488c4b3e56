import { Hono } from "hono";
import { cors } from "hono/cors";
import { getDb } from "../../db/client";
import { LogKeyError, logVerifierKey } from "../../domain/transparency/keys";
import { readEntryBundle, readTile, servedCheckpoint } from "../../domain/transparency/read";
import { log } from "../../lib/log";
import { parseTilePath } from "../../lib/tlog/tiles";
import type { AppEnv } from "../context";
import { requestContext } from "../middleware/request-context";

// The transparency log as C2SP tlog-tiles at /log/: checkpoint, tiles, entry bundles, and the log's
// verifier key. A separate Hono app from /api (like /open311): plain static-looking resources, no JSON
// envelope on success, so a mirror that copies these files serves the same log. Full tiles and full
// entry bundles never change (cached for a year, immutable); partial ones and the checkpoint change.

export const logApp = new Hono<AppEnv>().basePath("/log");

logApp.use("*", requestContext);
logApp.use("*", cors({ origin: "*", allowMethods: ["GET", "HEAD"], maxAge: 600 }));
logApp.use("*", async (c, next) => {
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Cross-Origin-Resource-Policy", "cross-origin");
  await next();
});

const TEXT = "text/plain; charset=utf-8";
const BINARY = "application/octet-stream";
const IMMUTABLE = "public, max-age=31536000, immutable";
const SHORT = "public, max-age=1, must-revalidate";

function problem(status: 400 | 404 | 503, message: string) {
  return new Response(`${message}\n`, {
    status,
    headers: { "Content-Type": TEXT, "Cache-Control": "no-store" },
  });
}

logApp.get("/checkpoint", async (c) => {
  const cp = await servedCheckpoint(await getDb());
  if (!cp) return problem(404, "日志尚无检查点（no checkpoint yet）");
  return c.body(cp.note, 200, { "Content-Type": TEXT, "Cache-Control": SHORT });
});

logApp.get("/key", (c) => {
  return c.body(`${logVerifierKey()}\n`, 200, { "Content-Type": TEXT, "Cache-Control": "public, max-age=3600" });
});

logApp.get("/tile/*", async (c) => {
  const rest = c.req.path.slice("/log/tile/".length);
  const tile = parseTilePath(rest);
  if (!tile) return problem(400, "瓦片路径格式不对（tile/<L>/<N>[.p/<W>]，N 为三位一组的数字）");
  const db = await getDb();
  const data =
    tile.level === "entries"
      ? await readEntryBundle(db, tile.n, tile.width)
      : await readTile(db, tile.level, tile.n, tile.width);
  if (!data) return problem(404, "日志中没有这个瓦片（超出当前日志大小）");
  return c.body(data as Uint8Array<ArrayBuffer>, 200, {
    "Content-Type": BINARY,
    "Cache-Control": tile.width === 256 ? IMMUTABLE : SHORT,
  });
});

logApp.notFound(() => problem(404, "没有这个资源"));
logApp.onError((err) => {
  if (err instanceof LogKeyError) return problem(503, "日志签名密钥未配置（SUNSHINE_LOG_KEY）");
  log.error("transparency log request failed", { error: (err as Error).message });
  return problem(503, "日志暂时不可用，请稍后重试");
});
