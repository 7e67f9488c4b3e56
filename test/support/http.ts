import { app } from "../../api/app";

/** Call the API in process, as a client would over HTTP. */
export async function api(path: string, init: RequestInit & { json?: unknown } = {}) {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set("content-type", "application/json");
  const res = await app.request(path, {
    ...rest,
    headers,
    body: json !== undefined ? JSON.stringify(json) : rest.body,
  });
  const text = await res.text();
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** Assert the error envelope shape and return it. */
export function expectEnvelope(body: any): { code: string; message: string; details?: unknown } {
  if (
    !body ||
    typeof body !== "object" ||
    !body.error ||
    typeof body.error.code !== "string" ||
    typeof body.error.message !== "string"
  ) {
    throw new Error(`not an error envelope: ${JSON.stringify(body)}`);
  }
  return body.error;
}
