import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../seed/console";
import { baseURL } from "./harness";

// Over real HTTP against the built server (what in-process app.request() cannot show): requests without
// Content-Length, forwarding headers from a client that is not a trusted proxy, and pages' answers to bad
// input and bad cookies.

/** Send raw HTTP/1.1 bytes and return the status line's code and the whole response text. */
function raw(request: string): Promise<{ status: number; text: string }> {
  const url = new URL(baseURL());
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write(request));
    let data = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk) => {
      data += chunk;
    });
    socket.on("end", () => resolve({ status: Number(data.split(" ")[1]), text: data }));
    socket.on("error", reject);
  });
}

const host = () => new URL(baseURL()).host;

describe("bodies without Content-Length (no more 500s)", () => {
  it("DELETE /api/console/session with cookie and CSRF but no length signs out (and the session ends)", async () => {
    const signIn = await fetch(`${baseURL()}/api/console/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "jiexian", password: DEMO_PASSWORD }),
    });
    expect(signIn.status).toBe(200);
    const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const { csrfToken } = (await signIn.json()) as { csrfToken: string };
    const out = await raw(
      `DELETE /api/console/session HTTP/1.1\r\nHost: ${host()}\r\nCookie: ${cookie}\r\nX-CSRF-Token: ${csrfToken}\r\nConnection: close\r\n\r\n`,
    );
    expect(out.status).toBe(204);
    const me = await fetch(`${baseURL()}/api/console/me`, { headers: { cookie } });
    expect(me.status).toBe(401);
  });

  it("PUT /api/funds without a length is 405 (the method check comes before the staff guard), and a chunked POST is read", async () => {
    const put = await raw(`PUT /api/funds HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`);
    expect(put.status).toBe(405);
    expect(put.text).toMatch(/\r\nallow: [^\r]*\bGET\b/i);
    const body = '{"username":"nobody","password":"x"}';
    const chunked = await raw(
      `POST /api/console/session HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
    );
    expect(chunked.status).toBe(401);
  });
});

describe("forwarding headers from an untrusted client are ignored", () => {
  it("no HSTS over plain HTTP, whatever X-Forwarded-Proto says", async () => {
    for (const path of ["/", "/api/health"]) {
      const res = await fetch(`${baseURL()}${path}`, { headers: { "x-forwarded-proto": "https" } });
      expect(res.headers.get("strict-transport-security"), path).toBeNull();
    }
  });
});

describe("pages answer bad input with a readable page, never an empty 500", () => {
  it.each(["/notices?q=%00", "/stats?district=%00", "/funds?q=a%00b"])("%s → 400 page in Chinese", async (path) => {
    const res = await fetch(`${baseURL()}${path}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("提交的内容有误");
  });

  it("POST /track with a NUL in the number → 400 page", async () => {
    const res = await fetch(`${baseURL()}/track`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "number=a%00b&receipt=AAAA",
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("提交的内容有误");
  });

  it("a malformed session cookie is 'not signed in' on pages", async () => {
    const res = await fetch(`${baseURL()}/console`, {
      headers: { cookie: "sunshine_staff=%E0%A4%A" },
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toContain("/console/login");
  });
});
