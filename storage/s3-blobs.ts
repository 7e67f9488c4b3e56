import { BlobMissingError, type BlobStore } from "./blob-store";
import { EMPTY_SHA256, signRequest } from "./sigv4";

// The S3-compatible backend (FILE_STORAGE=s3): a blob's bytes are the object blobs/<aa>/<sha256> in
// S3_BUCKET, addressed path-style (S3_ENDPOINT/S3_BUCKET/key, which every S3-compatible server accepts).
// Objects are written before the database row that names them and removed after it is gone, so a row
// never points at a missing object; an upload whose row never committed leaves an object nothing
// names (space, never a wrong answer).

export interface S3Config {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export function s3BlobStore(config: S3Config, fetchImpl: typeof fetch = fetch): BlobStore {
  const objectUrl = (sha256: string) =>
    new URL(`${config.endpoint.replace(/\/+$/, "")}/${config.bucket}/blobs/${sha256.slice(0, 2)}/${sha256}`);
  const send = async (method: string, sha256: string, body?: Uint8Array, extra: Record<string, string> = {}) => {
    const url = objectUrl(sha256);
    const headers = signRequest({
      method,
      url,
      headers: body ? { ...extra, "content-length": String(body.length) } : extra,
      payloadSha256: body ? sha256 : EMPTY_SHA256,
      region: config.region,
      accessKeyId: config.accessKeyId,
      secretAccessKey: config.secretAccessKey,
    });
    return fetchImpl(url, { method, headers, body: body as BodyInit | undefined });
  };
  const fail = async (what: string, res: Response) => {
    const text = (await res.text().catch(() => "")).slice(0, 200);
    return new Error(`S3 ${what} failed: HTTP ${res.status} ${text}`);
  };
  return {
    backend: "s3",
    async put(_db, sha256, bytes) {
      const res = await send("PUT", sha256, bytes, { "content-type": "application/octet-stream" });
      if (!res.ok) throw await fail("PUT", res);
      await res.body?.cancel();
    },
    async open(_db, sha256) {
      const res = await send("GET", sha256);
      if (res.status === 404) throw new BlobMissingError(`blob ${sha256} is not in the bucket`);
      if (!res.ok || !res.body) throw await fail("GET", res);
      return res.body;
    },
    async remove(sha256) {
      const res = await send("DELETE", sha256);
      if (!res.ok && res.status !== 404) throw await fail("DELETE", res);
      await res.body?.cancel();
    },
  };
}
