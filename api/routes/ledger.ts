import { createRoute, z } from "@hono/zod-openapi";
import { TICKET_NUMBER, TICKET_NUMBER_MESSAGE } from "../../domain/hotline/ticket-number";
import { ledgerCsv } from "../../domain/ledger/csv";
import { addEvidence, createEntry, reopenEntry, signOff } from "../../domain/ledger/entries";
import { entriesForRecurrence, entryDetail, ledgerSummary, listEntries } from "../../domain/ledger/queries";
import { LEDGER_SOURCES, parseLedgerFilters } from "../../domain/ledger/rules";
import { createRouter } from "../context";
import { errorResponses } from "../errors";
import { requireStaff } from "../middleware/auth";

// The problem ledger (台账 · 整改销号) for staff: cookie session + X-CSRF-Token on writes.
// Rules in domain/ledger/rules.ts.

const tags = ["问题台账"];
const Loose = z.record(z.string(), z.unknown());
const Id = z.object({ id: z.coerce.number({ error: "台账编号应为数字" }).int().positive("台账编号应为正整数") });
const json = <T extends z.ZodType>(schema: T) => ({ content: { "application/json": { schema } } });
const TicketNumber = z.string().regex(TICKET_NUMBER, TICKET_NUMBER_MESSAGE);
const Query = z.object({
  status: z.string().optional(),
  level: z.string().optional(),
  unit: z.string().optional(),
  district: z.string().optional(),
  source: z.string().optional(),
  q2: z.string().optional().openapi({ description: "问题整改落实季：该年 4–6 月到期或销号的问题" }),
  overdue: z.string().optional(),
});

const listRoute = createRoute({
  method: "get",
  path: "/ledger",
  tags,
  summary: "问题台账列表与按层级、按部门统计",
  request: { query: Query },
  responses: { 200: { description: "台账", ...json(Loose) }, ...errorResponses(400, 401, 403) },
});
const csvRoute = createRoute({
  method: "get",
  path: "/ledger.csv",
  tags,
  summary: "导出问题台账（CSV，UTF-8 BOM）",
  request: { query: Query },
  responses: {
    200: { description: "CSV", content: { "text/csv": { schema: z.string() } } },
    ...errorResponses(400, 401, 403),
  },
});
const createEntryRoute = createRoute({
  method: "post",
  path: "/ledger",
  tags,
  summary: "建立台账（督办、纪检监察）",
  request: {
    body: json(
      z.object({
        source: z.enum(LEDGER_SOURCES, { error: "来源应为 ticket、audit 或 inspection" }),
        ticketNumber: TicketNumber.nullish(),
        responsibleUnit: z.string().max(100).nullish(),
        title: z.string().max(200, "标题最多 200 字").nullish(),
        description: z.string({ error: "请填写问题描述" }).min(1, "请填写问题描述").max(4000, "最多 4000 字"),
        measures: z.string({ error: "请填写整改措施" }).min(1, "请填写整改措施").max(4000, "最多 4000 字"),
        deadline: z.string({ error: "请填写整改期限" }).regex(/^\d{4}-\d{2}-\d{2}$/, "整改期限格式为 年-月-日"),
      }),
    ),
  },
  responses: { 201: { description: "已建立", ...json(Loose) }, ...errorResponses(400, 401, 403, 409) },
});
const detailRoute = createRoute({
  method: "get",
  path: "/ledger/{id}",
  tags,
  summary: "台账详情（证据、经过、可执行的操作）",
  request: { params: Id },
  responses: { 200: { description: "详情", ...json(Loose) }, ...errorResponses(400, 401, 403, 404) },
});
const evidenceRoute = createRoute({
  method: "post",
  path: "/ledger/{id}/evidence",
  tags,
  summary: "提交整改证据（责任单位）",
  request: {
    params: Id,
    body: json(
      z.object({
        body: z.string({ error: "请填写整改情况说明" }).min(1, "请填写整改情况说明").max(4000, "最多 4000 字"),
        attachments: z.array(z.string().max(500)).max(20, "附件最多 20 个").optional(),
      }),
    ),
  },
  responses: { 200: { description: "已提交", ...json(Loose) }, ...errorResponses(400, 401, 403, 404, 409) },
});
const signOffRoute = createRoute({
  method: "post",
  path: "/ledger/{id}/sign-off",
  tags,
  summary: "销号（上级督办；无整改证据时 409）",
  request: { params: Id, body: json(z.object({ note: z.string().max(2000).nullish() })) },
  responses: { 200: { description: "已销号", ...json(Loose) }, ...errorResponses(400, 401, 403, 404, 409) },
});
const reopenRoute = createRoute({
  method: "post",
  path: "/ledger/{id}/reopen",
  tags,
  summary: "问题复发：以新工单重新打开已销号的台账（上级督办）",
  request: {
    params: Id,
    body: json(z.object({ ticketNumber: TicketNumber, note: z.string().max(2000).nullish() })),
  },
  responses: { 200: { description: "已重新打开", ...json(Loose) }, ...errorResponses(400, 401, 403, 404, 409) },
});
const recurrenceRoute = createRoute({
  method: "get",
  path: "/ledger/recurrence/{number}",
  tags,
  summary: "某工单可能反映复发的已销号台账",
  request: { params: z.object({ number: TicketNumber }) },
  responses: { 200: { description: "候选台账", ...json(Loose) }, ...errorResponses(400, 401, 403, 404) },
});

export const ledgerRoutes = createRouter();
ledgerRoutes.use("/ledger", requireStaff("supervisor", "inspector", "handler", "admin"));
ledgerRoutes.use("/ledger.csv", requireStaff("supervisor", "inspector", "handler", "admin"));
ledgerRoutes.use("/ledger/*", requireStaff("supervisor", "inspector", "handler", "admin"));

ledgerRoutes
  .openapi(listRoute, async (c) => {
    const f = parseLedgerFilters(new URL(c.req.url).searchParams);
    const [items, summary] = await Promise.all([
      listEntries(c.var.db, c.var.staff, f),
      ledgerSummary(c.var.db, c.var.staff, f),
    ]);
    return c.json({ items, summary } as unknown as Record<string, unknown>, 200);
  })
  .openapi(csvRoute, async (c) => {
    const f = parseLedgerFilters(new URL(c.req.url).searchParams);
    const csv = ledgerCsv(await listEntries(c.var.db, c.var.staff, f, 100_000));
    return c.body(csv, 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="ledger${f.q2 ? `-q2-${f.q2}` : ""}.csv"`,
      "cache-control": "no-store",
    });
  })
  .openapi(createEntryRoute, async (c) => {
    const e = await createEntry(c.var.db, c.var.staff, c.req.valid("json"));
    return c.json(e as unknown as Record<string, unknown>, 201);
  })
  .openapi(recurrenceRoute, async (c) => {
    const items = await entriesForRecurrence(c.var.db, c.var.staff, c.req.valid("param").number);
    return c.json({ items } as unknown as Record<string, unknown>, 200);
  })
  .openapi(detailRoute, async (c) => {
    const d = await entryDetail(c.var.db, c.var.staff, c.req.valid("param").id);
    return c.json(d as unknown as Record<string, unknown>, 200);
  })
  .openapi(evidenceRoute, async (c) => {
    const e = await addEvidence(c.var.db, c.var.staff, c.req.valid("param").id, c.req.valid("json"));
    return c.json(e as unknown as Record<string, unknown>, 200);
  })
  .openapi(signOffRoute, async (c) => {
    const e = await signOff(c.var.db, c.var.staff, c.req.valid("param").id, c.req.valid("json"));
    return c.json(e as unknown as Record<string, unknown>, 200);
  })
  .openapi(reopenRoute, async (c) => {
    const e = await reopenEntry(c.var.db, c.var.staff, c.req.valid("param").id, c.req.valid("json"));
    return c.json(e as unknown as Record<string, unknown>, 200);
  });
