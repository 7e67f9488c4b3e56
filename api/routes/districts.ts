import { createRoute, z } from "@hono/zod-openapi";
import { listDistricts } from "../../domain/reference/places";
import { createRouter } from "../context";
import { errorResponses } from "../errors";

// Reference data: the districts with their towns and villages (and the key/weak/deep-poverty marks).

const Village = z.object({
  id: z.number().int(),
  name: z.string(),
  isProvincialKey: z.boolean().openapi({ description: "省扶贫工作重点村" }),
  isWeak: z.boolean().openapi({ description: "薄弱村" }),
  deepPovertyArea: z.string().nullable().openapi({ description: "深度贫困区域：南部山区、太河库区或黄河滩区" }),
  isDemo: z.boolean(),
});
const Town = z.object({
  id: z.number().int(),
  name: z.string(),
  isKeyTown: z.boolean().openapi({ description: "扶贫工作重点镇" }),
  isDemo: z.boolean(),
  villages: z.array(Village),
});
const District = z
  .object({
    id: z.number().int(),
    code: z.string(),
    name: z.string().openapi({ example: "高青县" }),
    kind: z.string(),
    isKey: z.boolean().openapi({ description: "重点区县（淄川、博山、高青、沂源）" }),
    towns: z.array(Town),
  })
  .openapi("District");
const districtsRoute = createRoute({
  method: "get",
  path: "/districts",
  tags: ["参考数据"],
  summary: "区县、镇办和村（含重点村、薄弱村、深度贫困区域标记）",
  responses: {
    200: { description: "全部区县", content: { "application/json": { schema: z.array(District) } } },
    ...errorResponses(503),
  },
});

export const districtRoutes = createRouter().openapi(districtsRoute, async (c) =>
  c.json(await listDistricts(c.var.db), 200),
);
