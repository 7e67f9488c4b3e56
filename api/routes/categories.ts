import { createRoute, z } from "@hono/zod-openapi";
import { listCategories } from "../../domain/reference/places";
import { createRouter } from "../context";
import { errorResponses } from "../errors";

// Reference data: the categories of matters and the department that leads each (how tickets are routed).

const Category = z
  .object({
    code: z.string().openapi({ example: "housing" }),
    name: z.string().openapi({ example: "危房改造" }),
    leadDepartment: z.string().openapi({ example: "市住房城乡建设局" }),
  })
  .openapi("Category");

const categoriesRoute = createRoute({
  method: "get",
  path: "/categories",
  tags: ["参考数据"],
  summary: "事项类别及牵头部门（工单分派依据）",
  responses: {
    200: { description: "全部类别", content: { "application/json": { schema: z.array(Category) } } },
    ...errorResponses(503),
  },
});

export const categoryRoutes = createRouter().openapi(categoriesRoute, async (c) => {
  const list = await listCategories(c.var.db);
  return c.json(
    list.map(({ code, name, leadDepartment }) => ({ code, name, leadDepartment })),
    200,
  );
});
