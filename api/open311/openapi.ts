// The Open311 GeoReport v2 endpoint (api/open311/app.ts) described for /api/openapi.json. The app is a
// plain Hono app (GeoReport's URL scheme and XML do not fit the zod routers), so its description is
// written here, next to it; test/api/openapi.test.ts checks that every route of the app is described.

const format = {
  name: "format",
  in: "path",
  required: true,
  description: "响应格式：json 或 xml（GeoReport 规定 xml 为必备格式）",
  schema: { type: "string", enum: ["json", "xml"] },
} as const;
const jurisdiction = {
  name: "jurisdiction_id",
  in: "query",
  required: false,
  description: "可选；只接受 zibo.gov.cn，其他值为 404",
  schema: { type: "string" },
} as const;

const Error311 = {
  type: "array",
  items: {
    type: "object",
    required: ["code", "description"],
    properties: { code: { type: "integer" }, description: { type: "string" } },
  },
} as const;

const body = (description: string, schema: object) => ({
  description,
  content: { "application/json": { schema }, "text/xml": { schema: { type: "string" } } },
});
const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      String(s),
      body(
        {
          400: "请求有误（description 说明哪个参数）",
          403: "缺少、无效或已吊销的 api_key",
          404: "没有这个资源",
          413: "请求内容过大",
          503: "数据库暂时不可用（未保存任何内容），见 Retry-After",
        }[s] ?? "错误",
        Error311,
      ),
    ]),
  );

const Service = {
  type: "object",
  properties: {
    service_code: { type: "string" },
    service_name: { type: "string" },
    description: { type: "string" },
    metadata: { type: "boolean" },
    type: { type: "string", enum: ["realtime", "batch", "blackbox"] },
    keywords: { type: "string" },
    group: { type: "string" },
  },
} as const;
const ServiceRequest = {
  type: "object",
  properties: {
    service_request_id: { type: "string", description: "工单编号（ZB-年份-编号）" },
    status: { type: "string", enum: ["open", "closed"] },
    status_notes: { type: "string" },
    service_name: { type: "string" },
    service_code: { type: "string" },
    agency_responsible: { type: "string" },
    requested_datetime: { type: "string" },
    updated_datetime: { type: "string" },
    expected_datetime: { type: "string" },
    address: { type: "string" },
  },
} as const;

const tags = ["Open311 GeoReport v2"];

/** OpenAPI paths of the GeoReport endpoint (path templates in OpenAPI's {name} form). */
export const OPEN311_OPENAPI_PATHS = {
  "/open311/v2/discovery.{format}": {
    get: {
      operationId: "open311Discovery",
      tags,
      summary: "服务发现：规范、地址与格式",
      parameters: [format],
      responses: { "200": body("发现文档", { type: "object" }), ...errors(404) },
    },
  },
  "/open311/v2/services.{format}": {
    get: {
      operationId: "open311ListServices",
      tags,
      summary: "服务列表：反映类型 × 事项类别",
      parameters: [format, jurisdiction],
      responses: { "200": body("服务列表", { type: "array", items: Service }), ...errors(404) },
    },
  },
  "/open311/v2/services/{service_code}.{format}": {
    get: {
      operationId: "open311GetServiceDefinition",
      tags,
      summary: "服务定义：GeoReport 之外的属性（区县、镇、村、被反映对象、匿名）",
      parameters: [
        { name: "service_code", in: "path", required: true, schema: { type: "string" }, example: "report-housing" },
        format,
        jurisdiction,
      ],
      responses: { "200": body("服务定义", { type: "object" }), ...errors(400, 404) },
    },
  },
  "/open311/v2/requests.{format}": {
    get: {
      operationId: "open311ListRequests",
      tags,
      summary: "公开的工单列表（不含反映人、内容与举报标题）",
      parameters: [
        format,
        jurisdiction,
        { name: "service_request_id", in: "query", schema: { type: "string" }, description: "逗号分隔的工单编号" },
        { name: "service_code", in: "query", schema: { type: "string" } },
        { name: "start_date", in: "query", schema: { type: "string" }, description: "W3C 时间（含时区）" },
        { name: "end_date", in: "query", schema: { type: "string" } },
        { name: "status", in: "query", schema: { type: "string", enum: ["open", "closed"] } },
      ],
      responses: {
        "200": body("工单列表（至多 1000 条）", { type: "array", items: ServiceRequest }),
        ...errors(400, 404),
      },
    },
    post: {
      operationId: "open311CreateRequest",
      tags,
      summary: "提交工单（需要 api_key；返回工单编号与一次性的查询码）",
      parameters: [
        format,
        {
          name: "Idempotency-Key",
          in: "header",
          required: false,
          schema: { type: "string" },
          description: "重试同一提交时返回同一工单与查询码",
        },
      ],
      requestBody: {
        required: true,
        content: {
          "application/x-www-form-urlencoded": {
            schema: {
              type: "object",
              required: ["api_key", "service_code", "description"],
              properties: {
                api_key: { type: "string" },
                service_code: { type: "string" },
                description: { type: "string" },
                "attribute[district]": { type: "string" },
                first_name: { type: "string" },
                last_name: { type: "string" },
                phone: { type: "string" },
                address_string: { type: "string" },
                lat: { type: "string" },
                long: { type: "string" },
                media_url: { type: "string" },
              },
            },
          },
        },
      },
      responses: {
        "200": body("已受理：service_request_id、receipt 与 service_notice", {
          type: "array",
          items: { type: "object" },
        }),
        "201": body("已受理", { type: "array", items: { type: "object" } }),
        ...errors(400, 403, 404, 413, 503),
      },
    },
  },
  "/open311/v2/requests/{service_request_id}.{format}": {
    get: {
      operationId: "open311GetRequest",
      tags,
      summary: "一件工单的公开信息",
      parameters: [
        {
          name: "service_request_id",
          in: "path",
          required: true,
          schema: { type: "string" },
          example: "ZB-2026-000123",
        },
        format,
        jurisdiction,
      ],
      responses: { "200": body("工单", { type: "array", items: ServiceRequest }), ...errors(400, 404) },
    },
  },
  "/open311/v2/tokens/{token}.{format}": {
    get: {
      operationId: "open311GetToken",
      tags,
      summary: "令牌查询：本服务实时受理，从不签发令牌，因此总是 404",
      parameters: [{ name: "token", in: "path", required: true, schema: { type: "string" } }, format],
      responses: errors(404),
    },
  },
} as const;
