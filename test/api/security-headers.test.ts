import { describe, expect, it } from "vitest";
import { app } from "../../api/app";
import { open311 } from "../../api/open311/app";
import { STRICT_TRANSPORT_SECURITY } from "../../lib/security-headers";
import { expectedSecurityHeaders, securityHeadersOf } from "../support/security-headers";

// Pages get their headers from site/middleware.ts through lib/security-headers.ts; the API apps must
// send exactly that set (test/browser/security-headers.test.ts compares pages and API over real HTTP).
describe("one security-header layer on the API", () => {
  for (const https of [false, true]) {
    it(`API and Open311 answers carry the pages' set over ${https ? "HTTPS" : "HTTP"}`, async () => {
      const client = { client: { address: "10.0.0.7", https } };
      const expected = expectedSecurityHeaders(https);
      expect(expected["strict-transport-security"]).toBe(https ? STRICT_TRANSPORT_SECURITY : undefined);
      const answers = [
        ["GET /api/health", await app.request("/api/health", {}, client)],
        ["GET /api/no-such-thing (404)", await app.request("/api/no-such-thing", {}, client)],
        ["POST /api/tickets {} (400)", await app.request("/api/tickets", { method: "POST", body: "{}" }, client)],
        ["GET /open311/v2/services.json", await open311.request("/open311/v2/services.json", {}, client)],
      ] as const;
      for (const [what, res] of answers) expect(securityHeadersOf(res.headers), what).toEqual(expected);
    });
  }
});
