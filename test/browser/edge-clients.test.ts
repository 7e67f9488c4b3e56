import { request as httpRequest } from "node:http";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../seed/console";
import { type DemoServer, startDemoServer } from "./demo-server";

// Who the client is, over real HTTP against the built server: the per-client limits (wrong receipts,
// sign-in lockout, filing and upload limits) key on the socket's address, or on X-Forwarded-For only
// when a configured trusted proxy (TRUST_PROXY) sent it. The loopback network gives each "client" its own
// source address (127.0.0.x); the servers here run with their own configuration and database, so the
// lockouts they provoke touch no other test.

const PROXY = "127.0.0.5"; // the one trusted proxy (TRUST_PROXY as a CIDR)
const EXEMPT = "127.0.0.9"; // RATE_LIMIT_EXEMPT
const FILINGS = 3; // RATE_LIMIT_FILINGS
const UPLOADS = 2; // RATE_LIMIT_UPLOADS
const WRONG = "0000-0000-0000-0000-0000"; // a well-formed receipt that matches nothing

type Server = DemoServer;

/** The built server (SUNSHINE_BUILD_DIR, like npm start) with demo data and this configuration. */
function startServer(name: string, extra: Record<string, string>): Promise<Server> {
  // scripts/serve.ts serves the build the browser project's set-up has just made (npm start would
  // rebuild first when a source is newer).
  return startDemoServer(name, ["--import", "tsx", "scripts/serve.ts"], {
    LOG_LEVEL: "error",
    WEB_CONCURRENCY: "1",
    ...extra,
  });
}

interface Answer {
  status: number;
  text: string;
  json: () => unknown;
}

/** One HTTP request from a chosen loopback source address. */
function send(
  server: Server,
  from: string,
  method: string,
  urlPath: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...opts.headers, connection: "close" };
    if (opts.body !== undefined) headers["content-length"] = Buffer.byteLength(opts.body);
    const req = httpRequest(
      { host: "127.0.0.1", port: server.port, localAddress: from, method, path: urlPath, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, text, json: () => JSON.parse(text) });
        });
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});
const form = (fields: Record<string, string>) => ({
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});
const xff = (value: string) => ({ "x-forwarded-for": value });

let filed = 0;
const ticket = () => ({
  kind: "complaint",
  category: "housing",
  title: `客户端测试 ${++filed}`,
  description: "我家去年申请的危房改造补助至今没有发放，村里说还在等。",
  district: "高青县",
  reporter: { anonymous: true },
});

/** File a ticket from the exempt address: its number and receipt. */
async function fileFromExempt(server: Server) {
  const r = await send(server, EXEMPT, "POST", "/api/tickets", json(ticket()));
  expect(r.status, r.text).toBe(201);
  return r.json() as { number: string; receipt: string };
}

const track = (server: Server, from: string, number: string, receipt: string, headers: Record<string, string> = {}) => {
  const f = form({ number, receipt });
  return send(server, from, "POST", "/track", { headers: { ...f.headers, ...headers }, body: f.body });
};

const signIn = (
  server: Server,
  from: string,
  username: string,
  password: string,
  headers: Record<string, string> = {},
) => send(server, from, "POST", "/api/console/session", json({ username, password }, headers));

let cidr: Server;
let hops: Server;

beforeAll(async () => {
  const limits = {
    RATE_LIMIT_FILINGS: String(FILINGS),
    RATE_LIMIT_UPLOADS: String(UPLOADS),
    RATE_LIMIT_EXEMPT: `${EXEMPT}/32`,
  };
  [cidr, hops] = await Promise.all([
    startServer("edge_cidr", { ...limits, TRUST_PROXY: `${PROXY}/32` }),
    startServer("edge_hops", { ...limits, TRUST_PROXY: "1" }),
  ]);
});

afterAll(async () => {
  await Promise.all([cidr?.stop(), hops?.stop()]);
});

describe("wrong receipts are throttled per client, whatever X-Forwarded-For says", () => {
  it("40 wrong receipts with a rotating X-Forwarded-For from a throttled address all get 429; the correct receipt still works", async () => {
    const t = await fileFromExempt(cidr);
    const from = "127.0.0.3";
    // Throttle the address (30 wrong receipts per 15 minutes are answered, then 429).
    let first429 = 0;
    for (let i = 1; i <= 31 && first429 === 0; i++) {
      const r = await track(cidr, from, t.number, WRONG);
      if (r.status === 429) first429 = i;
      else expect(r.status).toBe(404);
    }
    expect(first429).toBeGreaterThan(0);
    // A client that trusted the header would see 40 new clients here.
    for (let i = 0; i < 40; i++) {
      const r = await track(cidr, from, t.number, WRONG, xff(`198.51.100.${i + 1}`));
      expect(r.status, `spoofed X-Forwarded-For #${i}`).toBe(429);
    }
    const api = await send(cidr, from, "GET", `/api/tickets/${t.number}`, {
      headers: { "x-receipt": WRONG, ...xff("203.0.113.200") },
    });
    expect(api.status).toBe(429);
    // The reporter's correct receipt works from the throttled address, with or without the header.
    const right = await track(cidr, from, t.number, t.receipt, xff("198.51.100.250"));
    expect(right.status).toBe(200);
    expect(right.text).toContain(t.number);
    const rightApi = await send(cidr, from, "GET", `/api/tickets/${t.number}`, { headers: { "x-receipt": t.receipt } });
    expect(rightApi.status).toBe(200);
    // Another address is not throttled.
    expect((await track(cidr, "127.0.0.4", t.number, WRONG)).status).toBe(404);
  });

  it("behind the trusted proxy, X-Forwarded-For names the client: one throttled client does not throttle the next", async () => {
    const t = await fileFromExempt(cidr);
    for (let i = 0; i < 31; i++) await track(cidr, PROXY, t.number, WRONG, xff("198.51.100.30"));
    expect((await track(cidr, PROXY, t.number, WRONG, xff("198.51.100.30"))).status).toBe(429);
    expect((await track(cidr, PROXY, t.number, WRONG, xff("198.51.100.31"))).status).toBe(404);
  });
});

describe("sign-in lockout per (username, client)", () => {
  it("locks the guessing client whatever X-Forwarded-For it sends; the real user from another client gets in", async () => {
    const from = "127.0.0.6";
    for (let i = 0; i < 5; i++) {
      expect((await signIn(cidr, from, "duban", "wrong-password", xff(`198.51.100.${i + 1}`))).status).toBe(401);
    }
    for (let i = 0; i < 5; i++) {
      const r = await signIn(cidr, from, "duban", "wrong-password", xff(`203.0.113.${i + 1}`));
      expect(r.status, `spoofed X-Forwarded-For #${i}`).toBe(429);
    }
    // Even the right password is refused from the locked client …
    expect((await signIn(cidr, from, "duban", DEMO_PASSWORD, xff("203.0.113.99"))).status).toBe(429);
    // … while the real user, from their own client, signs in.
    const real = await signIn(cidr, "127.0.0.7", "duban", DEMO_PASSWORD);
    expect(real.status, real.text).toBe(200);
  });

  it("behind the trusted proxy, each forwarded client has its own count", async () => {
    for (let i = 0; i < 5; i++) await signIn(cidr, PROXY, "jijian", "wrong-password", xff("198.51.100.40"));
    expect((await signIn(cidr, PROXY, "jijian", DEMO_PASSWORD, xff("198.51.100.40"))).status).toBe(429);
    expect((await signIn(cidr, PROXY, "jijian", DEMO_PASSWORD, xff("198.51.100.41"))).status).toBe(200);
  });
});

describe("per-client filing and upload limits (RATE_LIMIT_*)", () => {
  it(`files ${FILINGS} tickets per client, then 429 whatever X-Forwarded-For says; the exempt address is not limited`, async () => {
    const from = "127.0.0.8";
    for (let i = 0; i < FILINGS; i++) {
      const r = await send(cidr, from, "POST", "/api/tickets", json(ticket(), xff(`198.51.100.${i + 1}`)));
      expect(r.status, r.text).toBe(201);
    }
    for (let i = 0; i < 5; i++) {
      const r = await send(cidr, from, "POST", "/api/tickets", json(ticket(), xff(`203.0.113.${i + 1}`)));
      expect(r.status, `spoofed X-Forwarded-For #${i}`).toBe(429);
    }
    for (let i = 0; i < FILINGS + 2; i++) {
      expect((await send(cidr, EXEMPT, "POST", "/api/tickets", json(ticket()))).status).toBe(201);
    }
  });

  it("behind the trusted proxy the limit is per forwarded client, and the proxy itself is not one client", async () => {
    for (let i = 0; i < FILINGS; i++) {
      expect((await send(cidr, PROXY, "POST", "/api/tickets", json(ticket(), xff("198.51.100.50")))).status).toBe(201);
    }
    expect((await send(cidr, PROXY, "POST", "/api/tickets", json(ticket(), xff("198.51.100.50")))).status).toBe(429);
    expect((await send(cidr, PROXY, "POST", "/api/tickets", json(ticket(), xff("198.51.100.51")))).status).toBe(201);
  });

  it(`accepts ${UPLOADS} evidence files per client, then 429 whatever X-Forwarded-For says`, async () => {
    const t = await fileFromExempt(cidr);
    const png = await sharp({ create: { width: 40, height: 40, channels: 3, background: "#88aa33" } })
      .png()
      .toBuffer();
    const boundary = "----sunshine-edge-clients";
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="evidence"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`,
      ),
      png,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const upload = (spoof: string) =>
      send(cidr, "127.0.0.10", "POST", `/api/tickets/${t.number}/evidence`, {
        headers: { "content-type": `multipart/form-data; boundary=${boundary}`, "x-receipt": t.receipt, ...xff(spoof) },
        body,
      });
    for (let i = 0; i < UPLOADS; i++) {
      const r = await upload(`198.51.100.${i + 1}`);
      expect(r.status, r.text).toBe(201);
    }
    for (let i = 0; i < 3; i++) expect((await upload(`203.0.113.${i + 1}`)).status).toBe(429);
  });
});

describe("TRUST_PROXY as a hop count: the client is the entry the proxy appended", () => {
  it("entries a client wrote in front of the proxy's own are ignored", async () => {
    // One proxy in front: it appends the address it saw; whatever the client wrote stays to the left.
    const via = (spoof: string, seen: string) => xff(`${spoof}, ${seen}`);
    for (let i = 0; i < FILINGS; i++) {
      const r = await send(
        hops,
        "127.0.0.3",
        "POST",
        "/api/tickets",
        json(ticket(), via(`198.51.100.${i + 1}`, "203.0.113.60")),
      );
      expect(r.status, r.text).toBe(201);
    }
    for (let i = 0; i < 5; i++) {
      const r = await send(
        hops,
        "127.0.0.3",
        "POST",
        "/api/tickets",
        json(ticket(), via(`198.51.100.${i + 10}`, "203.0.113.60")),
      );
      expect(r.status, `spoofed entry #${i}`).toBe(429);
    }
    // Another client behind the same proxy has its own count.
    const other = await send(
      hops,
      "127.0.0.3",
      "POST",
      "/api/tickets",
      json(ticket(), via("198.51.100.1", "203.0.113.61")),
    );
    expect(other.status).toBe(201);
  });
});
