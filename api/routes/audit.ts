import { createRoute, z } from "@hono/zod-openapi";
import { verifyAuditChain } from "../../domain/audit/audit-log";
import { createRouter } from "../context";
import { errorResponses } from "../errors";
import { requireStaff } from "../middleware/auth";

// The audit log's hash chain, checked on demand (admins and inspectors).

const tags = ["工作台"];
const Loose = z.record(z.string(), z.unknown());
const auditVerifyRoute = createRoute({
  method: "get",
  path: "/console/audit/verify",
  tags,
  summary: "校验审计日志哈希链（管理员、纪检监察）",
  responses: {
    200: { description: "校验结果", content: { "application/json": { schema: Loose } } },
    ...errorResponses(401, 403),
  },
});

export const auditRoutes = createRouter();
auditRoutes.use("/console/audit/verify", requireStaff("admin", "inspector"));

auditRoutes.openapi(auditVerifyRoute, async (c) =>
  c.json((await verifyAuditChain(c.var.db)) as unknown as Record<string, unknown>, 200),
);
