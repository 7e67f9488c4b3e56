import { etagMatches } from "./cache-policy";

// Conditional GET for answers too large to buffer and hash (the streamed exports): the validator is
// taken from the state of the data before anything is streamed, and a request whose If-None-Match
// (or, without one, If-Modified-Since) still matches gets a 304 and no body. The ETag comparison is
// the one the buffered answers use (lib/cache-policy.ts).

export interface Validator {
  etag: string;
  lastModified: Date;
}

/** ETag and Last-Modified headers of a validator. */
export function validatorHeaders(v: Validator): Record<string, string> {
  return { etag: v.etag, "last-modified": v.lastModified.toUTCString() };
}

/** Does the request already hold this version (RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since)? */
export function notModified(headers: { get(name: string): string | null }, v: Validator): boolean {
  const ifNoneMatch = headers.get("if-none-match");
  if (ifNoneMatch) return etagMatches(ifNoneMatch, v.etag);
  const since = Date.parse(headers.get("if-modified-since") ?? "");
  return !Number.isNaN(since) && Math.floor(v.lastModified.getTime() / 1000) <= Math.floor(since / 1000);
}
