import { once } from "node:events";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refuseOversizedBody } from "../../lib/body-cap";

let base: { port: number };
const server = createServer((req, res) => {
  if (refuseOversizedBody(req, res, { maxBody: 1024, maxUpload: 4096 })) return;
  let n = 0;
  req.on("data", (c: Buffer) => (n += c.length));
  req.on("end", () => res.end(`read ${n}`));
});

beforeAll(async () => {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = server.address() as AddressInfo;
});
afterAll(() => server.close());

function post(body: string, headers: Record<string, string>, chunked = false) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: base.port,
        method: "POST",
        path: "/report",
        headers: chunked ? headers : { ...headers, "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    // Written before end(), the body goes out chunked (Node sets Content-Length only for end(body)).
    if (chunked) req.write(body);
    req.end(chunked ? undefined : body);
  });
}

describe("page body cap", () => {
  it("lets bodies within the limits through", async () => {
    expect(await post("a".repeat(1000), { "content-type": "application/x-www-form-urlencoded" })).toEqual({
      status: 200,
      text: "read 1000",
    });
    expect((await post("a".repeat(4000), { "content-type": "multipart/form-data; boundary=x" })).status).toBe(200);
  });

  it("refuses a form or an upload over its limit with 413, in Chinese, before reading it", async () => {
    const form = await post("a".repeat(1025), { "content-type": "application/x-www-form-urlencoded" });
    expect(form.status).toBe(413);
    expect(form.text).toContain("上限 1 KB");
    const upload = await post("a".repeat(4097), { "content-type": "multipart/form-data; boundary=x" });
    expect(upload.status).toBe(413);
    expect(upload.text).toContain("上限 4 KB");
  });

  it("refuses a chunked body that does not say its length (411)", async () => {
    const res = await post("abc", { "content-type": "application/x-www-form-urlencoded" }, true);
    expect(res.status).toBe(411);
  });
});
