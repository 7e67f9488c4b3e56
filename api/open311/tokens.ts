import { notFound311 } from "./errors";
import { checkJurisdiction } from "./query";
import { open311Router, resource } from "./respond";

// Every service is "realtime": POST returns the service_request_id at once and never a token, so no
// token can resolve. The resource exists (clients probe it) and answers 404 as the spec says.

export const tokenRoutes = open311Router();

tokenRoutes.get("/tokens/:file", async (c) => {
  const { name } = resource(c.req.param("file"));
  checkJurisdiction(c.req.query("jurisdiction_id"));
  throw notFound311(`token “${name}” 不存在：本接口的服务均为 realtime，提交后直接返回 service_request_id`);
});
