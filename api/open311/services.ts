import { getOpen311ServiceDefinition, listOpen311Services } from "../../domain/open311/services";
import { notFound311 } from "./errors";
import type { Node } from "./format";
import { checkJurisdiction } from "./query";
import { open311Router, resource, send } from "./respond";

// Open311 services: the list (services.json / .xml) and one service's definition.

export const serviceRoutes = open311Router();

serviceRoutes.get("/:file", async (c, next) => {
  const { name, format } = resource(c.req.param("file"));
  if (name !== "services") return next();
  checkJurisdiction(c.req.query("jurisdiction_id"));
  return send(c, format, "services", (await listOpen311Services(c.var.db)) as unknown as Node);
});

serviceRoutes.get("/services/:file", async (c) => {
  const { name, format } = resource(c.req.param("file"));
  checkJurisdiction(c.req.query("jurisdiction_id"));
  const definition = await getOpen311ServiceDefinition(c.var.db, name);
  if (!definition) throw notFound311(`service_code “${name}” 不存在`);
  return send(c, format, "service_definition", definition as unknown as Node);
});
