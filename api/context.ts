import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Db } from "../db/client";
import type { StaffPrincipal } from "../domain/auth/principal";
import { validationFailed } from "../lib/errors";

export type AppEnv = {
  Variables: {
    requestId: string;
    /** The process's database; domain functions take it (or a transaction of it). */
    db: Db;
    /** The signed-in staff member, set by requireStaff() (api/middleware/auth.ts). */
    staff: StaffPrincipal;
  };
};

/** A router whose validation failures become the error envelope with the field paths. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const details = result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
        const first = details[0];
        throw validationFailed(
          first ? `请求参数有误：${first.path ? `${first.path} ` : ""}${first.message}` : "请求参数有误",
          details,
        );
      }
    },
  });
}

/** An OpenAPI response or request body of JSON with this schema. */
export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/** The `{id}` path parameter of a public record (a positive integer). */
export const IdParam = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .max(2_147_483_647, "编号超出范围")
    .openapi({ param: { name: "id", in: "path" }, example: 1 }),
});
