import { checkJurisdiction } from "./query";
import { open311Router, resource, send } from "./respond";

// Open311 discovery (discovery.json / .xml): where the endpoint is, which spec and formats it serves.

/** The GeoReport spec this endpoint implements (used in discovery). */
export const GEOREPORT_V2_SPEC = "http://wiki.open311.org/GeoReport_v2";
/** When the service list or this API last changed in a way clients should notice. */
const CHANGESET = "2026-11-28T00:00:00+08:00";

export const discoveryRoutes = open311Router();

discoveryRoutes.get("/:file", async (c, next) => {
  const { name, format } = resource(c.req.param("file"));
  if (name !== "discovery") return next();
  checkJurisdiction(c.req.query("jurisdiction_id"));
  const url = new URL(c.req.url);
  return send(c, format, "discovery", {
    changeset: CHANGESET,
    contact: "淄博市12317扶贫监督举报中心（电话 12317）",
    key_service: "POST 需要 api_key：由系统管理员为客户端应用签发（见项目 README 的 Open311 一节）",
    endpoints: [
      {
        specification: GEOREPORT_V2_SPEC,
        url: `${url.origin}/open311/v2`,
        changeset: CHANGESET,
        type: "production",
        formats: ["text/xml", "application/json"],
      },
    ],
  });
});
