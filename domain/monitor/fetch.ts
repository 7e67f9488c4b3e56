import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import zlib from "node:zlib";
import { type AllowEntry, assertConnectable, checkUrl, RefusedAddressError } from "./safety";

// One HTTP GET of a monitored source, made safe to point at the open internet:
// - only http(s), no credentials in the URL, no cookies or Authorization sent (nothing is stored between
//   requests: no agent keep-alive, no cookie jar);
// - the address is checked where the socket resolves it (safety.ts), and every redirect is followed by
//   hand and checked again (at most MAX_REDIRECTS, a loop is reported as such);
// - conditional GET (If-None-Match / If-Modified-Since) so an unchanged feed costs a 304;
// - one deadline for the whole exchange (connect, redirects, body) and a cap on the decoded size.
// Everything async on the event loop: a slow source never blocks a request being served.

export const MAX_REDIRECTS = 5;
const USER_AGENT = "SunshineMonitor/1.0 (online-opinion monitoring of the 12317 hotline)";

export class FetchError extends Error {}

export interface FetchOptions {
  allow: AllowEntry[];
  timeoutMs: number;
  maxBytes: number;
  etag?: string | null;
  lastModified?: string | null;
}

export type FetchOutcome =
  | {
      status: "ok";
      body: Buffer;
      contentType: string | null;
      etag: string | null;
      lastModified: string | null;
      finalUrl: string;
    }
  | { status: "not-modified"; finalUrl: string };

/** A lookup that refuses non-public addresses (unless allowed) after DNS resolution. */
function guardedLookup(allow: AllowEntry[], host: string): LookupFunction {
  return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err);
      try {
        if (addresses.length === 0) throw new FetchError(`无法解析主机 ${hostname}`);
        for (const a of addresses) assertConnectable(allow, host, a.address);
      } catch (e) {
        return callback(e);
      }
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  }) as LookupFunction;
}

function requestOnce(url: URL, opts: FetchOptions, conditional: boolean, signal: AbortSignal) {
  return new Promise<IncomingMessage>((resolve, reject) => {
    const host = url.hostname;
    const literal = host.startsWith("[") ? host.slice(1, -1) : host;
    // An IP literal never goes through the lookup: check it here.
    if (isIP(literal)) {
      try {
        assertConnectable(opts.allow, host, literal);
      } catch (e) {
        return reject(e);
      }
    }
    const headers: Record<string, string> = {
      "user-agent": USER_AGENT,
      accept:
        "application/rss+xml, application/atom+xml, application/feed+json, application/json, text/html, */*;q=0.5",
      "accept-encoding": "gzip, deflate, br",
    };
    if (conditional && opts.etag) headers["if-none-match"] = opts.etag;
    if (conditional && opts.lastModified) headers["if-modified-since"] = opts.lastModified;
    const lib = url.protocol === "https:" ? https : http;
    const req = lib.request(url, {
      method: "GET",
      headers,
      agent: false,
      lookup: guardedLookup(opts.allow, host),
      signal,
    });
    req.on("response", resolve);
    req.on("error", reject);
    req.end();
  });
}

function readBody(res: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(res.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    return Promise.reject(new FetchError(`内容过大（${declared} 字节，上限 ${maxBytes}）`));
  }
  const enc = String(res.headers["content-encoding"] ?? "").toLowerCase();
  const stream =
    enc === "gzip" || enc === "x-gzip"
      ? res.pipe(zlib.createGunzip())
      : enc === "deflate"
        ? res.pipe(zlib.createInflate())
        : enc === "br"
          ? res.pipe(zlib.createBrotliDecompress())
          : res;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        res.destroy();
        stream.destroy();
        reject(new FetchError(`内容过大（超过上限 ${maxBytes} 字节）`));
        return;
      }
      chunks.push(chunk);
    });
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", (e) => reject(new FetchError(`读取内容失败：${e.message}`)));
    res.on("error", (e) => reject(new FetchError(`读取内容失败：${e.message}`)));
  });
}

/** Fetch a source's URL. Throws FetchError / RefusedAddressError with a reason for its health line. */
export async function fetchSource(urlText: string, opts: FetchOptions): Promise<FetchOutcome> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs);
  const visited = new Set<string>();
  try {
    let current = urlText;
    for (let hop = 0; ; hop++) {
      const checked = checkUrl(current);
      if (!checked.ok) throw new FetchError(`${checked.reason}：${current.slice(0, 200)}`);
      if (visited.has(checked.url.toString())) throw new FetchError("重定向循环");
      visited.add(checked.url.toString());
      let res: IncomingMessage;
      try {
        res = await requestOnce(checked.url, opts, hop === 0, controller.signal);
      } catch (err) {
        throw translate(err, controller.signal, opts.timeoutMs);
      }
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && status !== 304) {
        res.resume();
        const location = res.headers.location;
        if (!location) throw new FetchError(`HTTP ${status} 重定向缺少 Location`);
        if (hop + 1 > MAX_REDIRECTS) throw new FetchError(`重定向次数过多（超过 ${MAX_REDIRECTS} 次）`);
        current = new URL(location, checked.url).toString();
        continue;
      }
      if (status === 304) {
        res.resume();
        return { status: "not-modified", finalUrl: checked.url.toString() };
      }
      if (status < 200 || status >= 300) {
        res.resume();
        throw new FetchError(`HTTP ${status}`);
      }
      let body: Buffer;
      try {
        body = await readBody(res, opts.maxBytes);
      } catch (err) {
        throw translate(err, controller.signal, opts.timeoutMs);
      }
      const header = (name: string) => {
        const v = res.headers[name];
        return typeof v === "string" && v.length <= 500 ? v : null;
      };
      return {
        status: "ok",
        body,
        contentType: header("content-type"),
        etag: header("etag"),
        lastModified: header("last-modified"),
        finalUrl: checked.url.toString(),
      };
    }
  } finally {
    clearTimeout(timer);
  }
}

function translate(err: unknown, signal: AbortSignal, timeoutMs: number): Error {
  if (err instanceof FetchError || err instanceof RefusedAddressError) return err;
  if (signal.aborted) return new FetchError(`超时（${timeoutMs / 1000} 秒内未完成）`);
  const e = err as NodeJS.ErrnoException;
  if (e?.code === "ENOTFOUND") return new FetchError("无法解析主机名");
  if (e?.code === "ECONNREFUSED") return new FetchError("连接被拒绝");
  if (e?.code === "ECONNRESET") return new FetchError("连接被重置");
  if (e?.code?.startsWith?.("ERR_TLS") || e?.code?.includes?.("CERT"))
    return new FetchError(`TLS 证书错误（${e.code}）`);
  return new FetchError(`请求失败：${String(e?.message ?? err).slice(0, 200)}`);
}
