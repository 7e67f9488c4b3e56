import { app } from "../../api/app";

/**
 * A decoded JSON answer whose shape the test has not named: its properties are read unchecked, as plain
 * JavaScript would. A test that reads into an answer names its shape instead: `api<SearchPage>(…)` with
 * the narrow interfaces in test/support/api-types.ts.
 */
// biome-ignore lint/suspicious/noExplicitAny: the one unchecked default; callers narrow it with api<T>().
export type Unchecked = any;

/** What the API answered: status, headers, the raw text and the decoded body (JSON, else the text). */
export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** Call the API in process, as a client would over HTTP. `T` names the shape of a JSON answer. */
export async function api<T = Unchecked>(
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<ApiResponse<T>> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set("content-type", "application/json");
  const res = await app.request(path, {
    ...rest,
    headers,
    body: json !== undefined ? JSON.stringify(json) : rest.body,
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body: body as T, text };
}

/** The error envelope's inner object. */
export interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

/** Assert the error envelope shape and return it. */
export function expectEnvelope(body: unknown): ErrorBody {
  const error = body && typeof body === "object" && "error" in body ? body.error : undefined;
  if (
    !error ||
    typeof error !== "object" ||
    !("code" in error) ||
    typeof error.code !== "string" ||
    !("message" in error) ||
    typeof error.message !== "string"
  ) {
    throw new Error(`not an error envelope: ${JSON.stringify(body)}`);
  }
  return error as ErrorBody;
}
