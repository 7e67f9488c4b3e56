import type { z } from "@hono/zod-openapi";

/** A required JSON request body with this schema, for a route's OpenAPI declaration. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  content: { "application/json": { schema } },
  required: true,
});
