import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { database } from "../../db/client";
import { env } from "../../lib/env";
import { log } from "../../lib/log";
import pkg from "../../package.json" with { type: "json" };
import { searchHealth } from "../../search/engine";
import { createRouter } from "../context";

const Health = z
  .object({
    status: z.enum(["ok", "unavailable"]),
    database: z.enum(["pglite", "postgres"]),
    search: z.enum(["embedded", "meilisearch"]),
    searchStatus: z.enum(["ok", "unavailable"]).openapi({ description: "搜索引擎状态（不可用时网站其余功能照常）" }),
    searchBacklog: z.number().int().optional().openapi({ description: "等待写入 Meilisearch 的变更数" }),
    version: z.string(),
  })
  .openapi("Health");

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

export const healthRoutes = createRouter().openapi(route, async (c) => {
  const e = env();
  const body = {
    database: e.DATABASE_URL ? ("postgres" as const) : ("pglite" as const),
    search: e.MEILISEARCH_URL ? ("meilisearch" as const) : ("embedded" as const),
    version: pkg.version,
  };
  try {
    const { db, driver } = await database();
    await db.execute(sql`SELECT 1`);
    const searchState = await searchHealth(db);
    return c.json(
      {
        status: "ok" as const,
        ...body,
        database: driver,
        searchStatus: searchState.ok ? ("ok" as const) : ("unavailable" as const),
        ...(searchState.backlog !== undefined ? { searchBacklog: searchState.backlog } : {}),
      },
      200,
    );
  } catch (err) {
    log.warn("health check failed", { error: (err as Error).message });
    c.header("Retry-After", "5");
    return c.json({ status: "unavailable" as const, ...body, searchStatus: "unavailable" as const }, 503);
  }
});
