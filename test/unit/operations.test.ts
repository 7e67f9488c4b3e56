import { describe, expect, it } from "vitest";
import { lagFromSamples, parseLsn } from "../../db/replica";
import { isReplicaEligible } from "../../lib/read-routing";
import { routeLabel } from "../../server/metrics";

describe("replica lag", () => {
  it("compares WAL positions as numbers", () => {
    expect(parseLsn("0/16B3748") < parseLsn("0/16B3750")).toBe(true);
    expect(parseLsn("1/0") > parseLsn("0/FFFFFFFF")).toBe(true);
  });

  it("is the age of the oldest primary position the replica has not replayed", () => {
    const samples = [
      { lsn: 100n, at: 1_000 },
      { lsn: 200n, at: 2_000 },
      { lsn: 300n, at: 3_000 },
    ];
    expect(lagFromSamples(samples, 150n, 4_000)).toBe(2); // 200 (seen at 2 s) still missing at 4 s
    expect(samples.length).toBe(2);
    expect(lagFromSamples(samples, 300n, 4_500)).toBe(0); // caught up: an idle system is 0 s behind
    expect(samples.length).toBe(0);
  });

  it("a replica that stopped replaying falls further behind with every check", () => {
    const samples = [{ lsn: 500n, at: 0 }];
    expect(lagFromSamples(samples, 400n, 3_000)).toBe(3);
    samples.push({ lsn: 600n, at: 3_000 });
    expect(lagFromSamples(samples, 400n, 9_000)).toBe(9);
  });
});

describe("read routing", () => {
  it("sends anonymous public reads to the replica, everything else to the primary", () => {
    expect(isReplicaEligible("GET", "/api/funds", undefined)).toBe(true);
    expect(isReplicaEligible("GET", "/api/funds/export.csv", undefined)).toBe(true);
    expect(isReplicaEligible("HEAD", "/api/notices/3", undefined)).toBe(true);
    expect(isReplicaEligible("GET", "/api/search", "theme=dark")).toBe(true);
    expect(isReplicaEligible("POST", "/api/funds", undefined)).toBe(false);
    expect(isReplicaEligible("GET", "/api/tickets/ZB-2026-000001", undefined)).toBe(false);
    expect(isReplicaEligible("GET", "/api/archive/moderation", undefined)).toBe(false);
    expect(isReplicaEligible("GET", "/api/funds", "sunshine_staff=abc")).toBe(false);
    expect(isReplicaEligible("GET", "/api/fundsx", undefined)).toBe(false);
  });

  it("gives public pages the same rule: read-only public pages on the replica, personal ones and forms on the primary", () => {
    for (const page of [
      "/funds",
      "/funds/12",
      "/stats",
      "/search",
      "/notices",
      "/notices/3",
      "/villages",
      "/villages/9",
      "/projects",
      "/projects/4",
      "/assets",
      "/archive",
      "/archive/photos/5",
      "/archive/photos/5/960.webp",
      "/archive/yearbook/2019",
      "/honors/2/photo/480.webp",
      "/policies/zibo-3",
      "/feeds/notices.xml",
      "/sitemap.xml",
    ])
      expect(isReplicaEligible("GET", page, null), page).toBe(true);
    for (const page of [
      "/track",
      "/report",
      "/payments/check",
      "/archive/photos/submit",
      "/console",
      "/console/monitor",
    ])
      expect(isReplicaEligible("GET", page, null), page).toBe(false);
    expect(isReplicaEligible("POST", "/notices/3", null)).toBe(false);
    expect(isReplicaEligible("GET", "/funds", "theme=dark; sunshine_staff=abc")).toBe(false);
  });
});

describe("metrics route labels", () => {
  it("labels the route's pattern, never the URL", () => {
    expect(routeLabel("/notices/123?x=1", 200)).toBe("/notices/:id");
    expect(routeLabel("/funds?district=%E9%AB%98%E9%9D%92%E5%8E%BF&year=2020", 200)).toBe("/funds");
    expect(routeLabel("/api/tickets/ZB-2026-000123", 200)).toBe("/api/tickets/:id");
    expect(routeLabel("/archive/photos/7/960.webp", 200)).toBe("/archive/photos/:id/:file");
    expect(routeLabel("/_astro/index.B1x2.css", 200)).toBe("/_static");
    expect(routeLabel("/wp-login.php", 404)).toBe("unmatched");
  });
});
