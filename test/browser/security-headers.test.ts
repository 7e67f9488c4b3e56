import { describe, expect, it } from "vitest";
import { securityHeadersOf } from "../support/security-headers";
import { baseURL } from "./harness";

// Over real HTTP against the built server: pages (Astro) and the API apps (served without Astro) send
// the same security headers, and no HSTS over plain HTTP.
describe("pages and API send the same security headers", () => {
  it("same set on pages, the API and Open311", async () => {
    const get = async (path: string) => securityHeadersOf((await fetch(`${baseURL()}${path}`)).headers);
    const page = await get("/");
    expect(page["content-security-policy"]).toBeDefined();
    expect(page["strict-transport-security"]).toBeUndefined();
    for (const path of [
      "/notices",
      "/no-such-page",
      "/api/health",
      "/api/no-such-thing",
      "/open311/v2/services.json",
    ]) {
      expect(await get(path), path).toEqual(page);
    }
  });
});
