import { createRoute, z } from "@hono/zod-openapi";
import { correctHousehold, createHousehold } from "../../domain/money/households";
import { createRouter, IdParam, jsonContent } from "../context";
import { errorResponses } from "../errors";
import { IdAndVersion, NewId } from "../fields";
import { requireStaff } from "../middleware/auth";
import { Day, Reason } from "../money-fields";
import { jsonBody } from "../request-bodies";

// The household register (建档立卡户): sealed names and ID numbers, found by keyed hash; publisher-only.

export const householdRoutes = createRouter();
const publisher = requireStaff("publisher", "admin");
householdRoutes.use("/households", publisher);
householdRoutes.use("/households/*", publisher);

const HouseholdInput = z
  .object({
    villageId: z.number().int().positive(),
    name: z.string().trim().min(1, "请填写户主姓名").max(30),
    idNumber: z.string().trim().min(1, "请填写户主身份证号码").max(30),
    members: z.number().int().min(1).max(30),
    status: z.enum(["registered", "exited"]).optional(),
    identifiedOn: Day.nullish(),
    exitedOn: Day.nullish(),
  })
  .openapi("HouseholdInput");

householdRoutes.openapi(
  createRoute({
    method: "post",
    path: "/households",
    tags: ["资金到户"],
    summary: "登记一户（户主姓名、身份证号码加密保存，只返回户编号）",
    security: [{ staffSession: [] }],
    request: { body: jsonBody(HouseholdInput) },
    responses: { 201: jsonContent(NewId, "已登记"), ...errorResponses(400, 401, 403, 409, 503) },
  }),
  async (c) => c.json({ id: await createHousehold(c.var.db, c.req.valid("json"), c.var.staff.userId) }, 201),
);

householdRoutes.openapi(
  createRoute({
    method: "post",
    path: "/households/{id}/corrections",
    tags: ["资金到户"],
    summary: "更正户籍登记",
    security: [{ staffSession: [] }],
    request: {
      params: IdParam,
      body: jsonBody(HouseholdInput.omit({ villageId: true }).partial().extend({ reason: Reason })),
    },
    responses: { 201: jsonContent(IdAndVersion, "已更正"), ...errorResponses(400, 401, 403, 404, 409, 503) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const { reason, ...patch } = c.req.valid("json");
    return c.json({ id, version: await correctHousehold(c.var.db, id, patch, reason, c.var.staff.userId) }, 201);
  },
);
