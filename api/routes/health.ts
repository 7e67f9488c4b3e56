import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { database } from "../../db/client";
import { replicaStatus } from "../../db/replica";
import { sequencingLag } from "../../domain/transparency/sequencer";
import { witnessHealth } from "../../domain/transparency/witnesses";
import { env } from "../../lib/env";
import { log } from "../../lib/log";
import { nodePhase } from "../../lib/node-state";
import pkg from "../../package.json" with { type: "json" };
import { searchHealth } from "../../search/engine";
import { createRouter } from "../context";

const Replica = z
  .object({
    lagSeconds: z.number().nullable().openapi({ description: "只读副本落后主库的秒数（未知时为 null）" }),
    inUse: z.boolean().openapi({ description: "公开查询当前是否读副本（落后超过阈值或不可达时改读主库）" }),
    maxLagSeconds: z.number(),
  })
  .openapi("ReplicaHealth");

const Health = z
  .object({
    status: z.enum(["ok", "unavailable"]),
    database: z.enum(["pglite", "postgres"]),
    search: z.enum(["embedded", "meilisearch"]),
    searchStatus: z.enum(["ok", "unavailable"]).openapi({ description: "搜索引擎状态（不可用时网站其余功能照常）" }),
    searchBacklog: z.number().int().optional().openapi({ description: "等待写入 Meilisearch 的变更数" }),
    logPending: z.number().int().optional().openapi({ description: "等待写入透明日志的条目数" }),
    logLagSeconds: z
      .number()
      .optional()
      .openapi({ description: "透明日志的排序滞后：最早一条待写入条目已等待的秒数（0 = 无积压）" }),
    logWitnesses: z
      .array(
        z.object({
          name: z.string(),
          cosignedSize: z.number().int(),
          failures: z.number().int(),
          lastError: z.string().nullable(),
        }),
      )
      .optional()
      .openapi({ description: "见证方（SUNSHINE_LOG_WITNESSES）：已联署的日志大小、连续失败次数（本进程所见）" }),
    replica: Replica.optional(),
    version: z.string(),
  })
  .openapi("Health");

const Probe = z
  .object({
    status: z.enum(["ok", "starting", "draining", "unavailable"]),
  })
  .openapi("Probe");

const route = createRoute({
  method: "get",
  path: "/health",
  tags: ["运行状态"],
  summary: "服务与数据库状态",
  responses: {
    200: { description: "正常", content: { "application/json": { schema: Health } } },
    503: { description: "数据库不可用", content: { "application/json": { schema: Health } } },
  },
});

const liveRoute = createRoute({
  method: "get",
  path: "/health/live",
  tags: ["运行状态"],
  summary: "存活探针：进程能应答即为 200（不查数据库）",
  responses: { 200: { description: "进程存活", content: { "application/json": { schema: Probe } } } },
});

const readyRoute = createRoute({
  method: "get",
  path: "/health/ready",
  tags: ["运行状态"],
  summary: "就绪探针：可以接收流量时为 200；启动（迁移）中、数据库不可达或正在退出时为 503",
  responses: {
    200: { description: "就绪", content: { "application/json": { schema: Probe } } },
    503: { description: "未就绪", content: { "application/json": { schema: Probe } } },
  },
});

const READY_CHECK_MS = 2_000;

function replicaBody() {
  const r = replicaStatus();
  return r.configured
    ? { replica: { lagSeconds: r.lagSeconds, inUse: r.inUse, maxLagSeconds: env().REPLICA_MAX_LAG_SECONDS } }
    : {};
}

export const healthRoutes = createRouter()
  .openapi(route, async (c) => {
    const e = env();
    const body = {
      database: e.DATABASE_URL ? ("postgres" as const) : ("pglite" as const),
      search: e.MEILISEARCH_URL ? ("meilisearch" as const) : ("embedded" as const),
      version: pkg.version,
      ...replicaBody(),
    };
    try {
      const { db, driver } = await database();
      await db.execute(sql`SELECT 1`);
      const searchState = await searchHealth(db);
      const logState = await sequencingLag(db);
      const witnesses = await witnessHealth();
      return c.json(
        {
          status: "ok" as const,
          ...body,
          database: driver,
          searchStatus: searchState.ok ? ("ok" as const) : ("unavailable" as const),
          ...(searchState.backlog !== undefined ? { searchBacklog: searchState.backlog } : {}),
          logPending: logState.pending,
          logLagSeconds: Math.round(logState.lagSeconds * 10) / 10,
          ...(witnesses.length > 0
            ? {
                logWitnesses: witnesses.map(({ name, cosignedSize, failures, lastError }) => ({
                  name,
                  cosignedSize,
                  failures,
                  lastError,
                })),
              }
            : {}),
        },
        200,
      );
    } catch (err) {
      log.warn("health check failed", { error: (err as Error).message });
      c.header("Retry-After", "5");
      return c.json({ status: "unavailable" as const, ...body, searchStatus: "unavailable" as const }, 503);
    }
  })
  .openapi(liveRoute, (c) => {
    c.header("Cache-Control", "no-store");
    return c.json({ status: "ok" as const }, 200);
  })
  .openapi(readyRoute, async (c) => {
    c.header("Cache-Control", "no-store");
    const phase = nodePhase();
    if (phase !== "ready") {
      c.header("Retry-After", "5");
      return c.json({ status: phase }, 503);
    }
    try {
      const { db } = await database();
      await Promise.race([
        db.execute(sql`SELECT 1`),
        new Promise((_, reject) => setTimeout(() => reject(new Error("database check timed out")), READY_CHECK_MS)),
      ]);
      return c.json({ status: "ok" as const }, 200);
    } catch (err) {
      log.warn("readiness: database unreachable", { error: (err as Error).message });
      c.header("Retry-After", "5");
      return c.json({ status: "unavailable" as const }, 503);
    }
  });
