import type { IncomingMessage, ServerResponse } from "node:http";
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from "./security-headers";

// The page server's cap on request bodies, checked on the headers before anything reads the body (the
// API apps have their own, api/middleware/body-limit.ts): form posts up to maxBody bytes, multipart
// uploads up to maxUpload. A body that does not say its length (chunked) is refused: browsers always
// send Content-Length with a form.

export interface BodyCap {
  maxBody: number;
  maxUpload: number;
}

/** Answers and returns true when the request is refused; false lets it through untouched. */
export function refuseOversizedBody(req: IncomingMessage, res: ServerResponse, cap: BodyCap): boolean {
  if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return false;
  const length = req.headers["content-length"];
  const multipart = (req.headers["content-type"] ?? "").startsWith("multipart/form-data");
  const max = multipart ? cap.maxUpload : cap.maxBody;
  if (length === undefined) {
    if (req.headers["transfer-encoding"] === undefined) return false; // no body at all
    return refuse(res, 411, "提交失败：请求没有注明长度（Content-Length），请用浏览器重新提交。");
  }
  if (Number(length) > max) {
    const limit = max >= 1_048_576 ? `${Math.floor(max / 1_048_576)} MB` : `${Math.floor(max / 1024)} KB`;
    return refuse(res, 413, `提交的内容过大（上限 ${limit}）。请减小或减少附件后再提交。`);
  }
  return false;
}

function refuse(res: ServerResponse, status: number, message: string) {
  const html = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>提交失败</title><main style="font-family:sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem"><h1>提交失败</h1><p>${message}</p><p>请用浏览器的“返回”回到上一页，已填写的文字通常仍在。</p><p><a href="/">返回首页</a></p></main></html>`;
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Content-Type": "text/html; charset=utf-8",
    "Content-Length": Buffer.byteLength(html),
    Connection: "close",
  });
  res.end(html);
  return true;
}
