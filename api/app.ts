import { z } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { databaseInputProblem } from "../lib/database-input";
import { errorFields } from "../lib/error-fields";
import { AppError, isDatabaseUnavailable } from "../lib/errors";
import { log } from "../lib/log";
import { type AppEnv, createRouter } from "./context";
import { envelope, statusText } from "./errors";
import { limitBodies } from "./middleware/body-limit";
import { httpCache } from "./middleware/http-cache";
import { refuseUnsupportedMethods } from "./middleware/method-check";
import { routeReads } from "./middleware/read-routing";
import { requestContext } from "./middleware/request-context";
import { siteHeaders } from "./middleware/site-headers";
import { refuseUnsafeText } from "./middleware/text-guard";
import { assetIncomeRoutes } from "./routes/asset-income";
import { assetRoutes } from "./routes/assets";
import { auditRoutes } from "./routes/audit";
import { beneficiaryListsRoutes } from "./routes/beneficiary-lists";
import { categoryRoutes } from "./routes/categories";
import { consoleSessionRoutes } from "./routes/console-session";
import { consoleTicketRoutes } from "./routes/console-tickets";
import { disbursementRoutes } from "./routes/disbursements";
import { districtRoutes } from "./routes/districts";
import { registerDocs } from "./routes/docs";
import { fundTrailRoutes } from "./routes/fund-trail";
import { fundsRoutes } from "./routes/funds";
import { healthRoutes } from "./routes/health";
import { honorRoutes } from "./routes/honors";
import { householdPaymentRoutes } from "./routes/household-payments";
import { householdRoutes } from "./routes/households";
import { housingCasePhotoRoutes } from "./routes/housing-case-photos";
import { housingCasesRoutes } from "./routes/housing-cases";
import { inspectionsRoutes } from "./routes/inspections";
import { intakeRoutes } from "./routes/intake";
import { ledgerRoutes } from "./routes/ledger";
import { moneyChangeRoutes } from "./routes/money-changes";
import { moneyExportRoutes } from "./routes/money-exports";
import { moneyImportsRoutes } from "./routes/money-imports";
import { moneyProgressRoutes } from "./routes/money-progress";
import { moneyStuckRoutes } from "./routes/money-stuck";
import { noticesRoutes } from "./routes/notices";
import { paymentCheckRoutes } from "./routes/payment-check";
import { photoRoutes } from "./routes/photos";
import { policyRoutes } from "./routes/policies";
import { projectAssetRoutes } from "./routes/project-asset";
import { projectStageRoutes } from "./routes/project-stages";
import { projectsRoutes } from "./routes/projects";
import { searchRoutes } from "./routes/search";
import { spendingRoutes } from "./routes/spending";
import { statsRoutes } from "./routes/stats";
import { ticketEvidenceRoutes } from "./routes/ticket-evidence";
import { ticketProofRoutes } from "./routes/ticket-proof";
import { ticketPublicSummaryRoutes } from "./routes/ticket-public-summary";
import { ticketRoutes } from "./routes/tickets";
import { villageRoutes } from "./routes/villages";
import { yearbookRoutes } from "./routes/yearbook";

// zod's messages in the product's language (a field's own message, where given, wins).
z.config(z.locales.zhCN());

/** The HTTP API, mounted under /api. Tests call app.request(); the site mounts app.fetch. */
export const app = createRouter().basePath("/api");

app.use("*", requestContext);
app.use("*", siteHeaders);
app.use(
  "*",
  refuseUnsupportedMethods(() => app.routes),
);
app.use("*", limitBodies());
app.use("*", refuseUnsafeText);
app.use("*", httpCache);
app.use("*", routeReads);

app.route("/", healthRoutes);
app.route("/", districtRoutes);
app.route("/", categoryRoutes);
// Further domains mount their routers here.
app.route("/", ticketEvidenceRoutes);
app.route("/", fundsRoutes);
app.route("/", disbursementRoutes);
app.route("/", householdRoutes);
app.route("/", householdPaymentRoutes);
app.route("/", paymentCheckRoutes);
app.route("/", fundTrailRoutes);
app.route("/", moneyProgressRoutes);
app.route("/", villageRoutes);
app.route("/", moneyStuckRoutes);
app.route("/", moneyChangeRoutes);
app.route("/", moneyExportRoutes);
app.route("/", spendingRoutes);
app.route("/", housingCasesRoutes);
app.route("/", housingCasePhotoRoutes);
app.route("/", beneficiaryListsRoutes);
app.route("/", moneyImportsRoutes);
app.route("/", inspectionsRoutes);
app.route("/", assetIncomeRoutes);
app.route("/", assetRoutes);
app.route("/", projectsRoutes);
app.route("/", projectStageRoutes);
app.route("/", projectAssetRoutes);
app.route("/", noticesRoutes);
app.route("/", ledgerRoutes);
app.route("/", statsRoutes);
app.route("/", ticketRoutes);
app.route("/", intakeRoutes);
app.route("/", ticketProofRoutes);
app.route("/", ticketPublicSummaryRoutes);
app.route("/", policyRoutes);
app.route("/", yearbookRoutes);
app.route("/", photoRoutes);
app.route("/", honorRoutes);
app.route("/", consoleSessionRoutes);
app.route("/", consoleTicketRoutes);
app.route("/", auditRoutes);
app.route("/", searchRoutes);

registerDocs(app);

app.notFound((c) => c.json(envelope("NOT_FOUND", `没有这个接口：${c.req.path}`), 404));

app.onError((err, c) => {
  const requestId = c.get("requestId");
  if (requestId) c.header("X-Request-Id", requestId);
  if (err instanceof AppError) {
    for (const [k, v] of Object.entries(err.headers ?? {})) c.header(k, v);
    return c.json(envelope(err.code, err.message, err.details), err.status);
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    const malformed = /malformed json/i.test(err.message);
    const code = malformed
      ? "MALFORMED_JSON"
      : status === 413
        ? "PAYLOAD_TOO_LARGE"
        : status < 500
          ? "BAD_REQUEST"
          : "INTERNAL";
    const message = malformed ? "请求体不是有效的 JSON" : statusText(status);
    return c.json(envelope(code, message), status);
  }
  if (isDatabaseUnavailable(err)) {
    log.warn("database unavailable", { requestId, error: (err as Error).message });
    c.header("Retry-After", "5");
    return c.json(envelope("SERVICE_UNAVAILABLE", "数据库暂时不可用，未保存任何内容，请稍后重试"), 503);
  }
  const problem = databaseInputProblem(err);
  if (problem) {
    log.warn("database refused an input value", { requestId, ...errorFields(err) });
    return c.json(envelope("BAD_REQUEST", problem), 400);
  }
  // Class, SQLSTATE, scrubbed message and frames go to the log (lib/error-fields.ts), never to the response.
  log.error("unhandled error", { requestId, ...errorFields(err) });
  return c.json(envelope("INTERNAL", "服务器内部错误，请稍后再试", { requestId }), 500);
});

export type App = typeof app;
export type { AppEnv };
