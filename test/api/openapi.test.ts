import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { app } from "../../api/app";
import { api } from "../support/http";

// /api/openapi.json must be a valid OpenAPI 3.1 document (checked against the official 3.1 JSON Schema
// by a real validator), describe every route of the app with an operationId and required path
// parameters, declare how staff authenticate, and describe the Open311 endpoint too.

type Operation = {
  operationId?: string;
  parameters?: { name: string; in: string; required?: boolean }[];
  responses?: Record<string, unknown>;
  security?: Record<string, string[]>[];
};
const METHODS = ["get", "put", "post", "delete", "patch"];

async function document() {
  const res = await api("/api/openapi.json");
  expect(res.status).toBe(200);
  return res.body as {
    openapi: string;
    paths: Record<string, Record<string, Operation>>;
    components: { securitySchemes?: Record<string, { type: string; in: string; name: string }> };
  };
}

function operations(doc: Awaited<ReturnType<typeof document>>) {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([m]) => METHODS.includes(m))
      .map(([method, op]) => ({ path, method, op })),
  );
}

describe("/api/openapi.json", () => {
  it("validates against the OpenAPI 3.1 schema", async () => {
    const doc = await document();
    expect(doc.openapi).toMatch(/^3\.1\./);
    const result = await new Validator().validate(doc as unknown as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("gives every operation a unique operationId and required path parameters", async () => {
    const doc = await document();
    const ids = new Set<string>();
    for (const { path, method, op } of operations(doc)) {
      expect(op.operationId, `${method} ${path}`).toMatch(/^[A-Za-z][A-Za-z0-9]*$/);
      expect(ids.has(op.operationId as string), `duplicate ${op.operationId}`).toBe(false);
      ids.add(op.operationId as string);
      for (const name of [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])) {
        const p = op.parameters?.find((x) => x.in === "path" && x.name === name);
        expect(p?.required, `${method} ${path} {${name}}`).toBe(true);
      }
    }
  });

  it("declares the staff session cookie and the CSRF header, and uses them on staff operations", async () => {
    const doc = await document();
    expect(doc.components.securitySchemes).toMatchObject({
      staffSession: { type: "apiKey", in: "cookie", name: "sunshine_staff" },
      csrfToken: { type: "apiKey", in: "header", name: "X-CSRF-Token" },
    });
    const signOutAll = doc.paths["/api/console/session/revoke-all"]?.post;
    expect(signOutAll?.security).toEqual([{ staffSession: [], csrfToken: [] }]);
    expect(doc.paths["/api/console/me"]?.get?.security).toEqual([{ staffSession: [] }]);
    expect(doc.paths["/api/funds"]?.get?.security).toBeUndefined();
  });

  it("describes every route of the app, and the Open311 endpoint", async () => {
    const doc = await document();
    const described = new Set(operations(doc).map(({ path, method }) => `${method.toUpperCase()} ${path}`));
    const missing = app.routes
      .filter((r) => r.method !== "ALL" && !r.path.includes("*"))
      .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}")}`)
      .filter((k) => !described.has(k) && !k.endsWith(" /api/openapi.json") && !k.endsWith(" /api/docs"));
    expect([...new Set(missing)]).toEqual([]);
    for (const path of [
      "/open311/v2/discovery.{format}",
      "/open311/v2/services.{format}",
      "/open311/v2/services/{service_code}.{format}",
      "/open311/v2/requests.{format}",
      "/open311/v2/requests/{service_request_id}.{format}",
      "/open311/v2/tokens/{token}.{format}",
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(doc.paths["/open311/v2/requests.{format}"]?.post?.operationId).toBe("open311CreateRequest");
  });
});
