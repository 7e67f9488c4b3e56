import { readFileSync } from "node:fs";
import path from "node:path";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import sax from "sax";
import { open311 } from "../../api/open311/app";
import type { ApiResponse, Unchecked } from "./http";

// Helpers for the Open311 tests: call the GeoReport app in process, validate JSON against the official
// JSON Schemas (test/fixtures/open311/, the GeoReport v2 conformance files) and parse XML strictly (well-formedness).

const SCHEMA_DIR = path.resolve(import.meta.dirname, "../fixtures/open311");

function schema(name: string) {
  return JSON.parse(readFileSync(path.join(SCHEMA_DIR, name), "utf8"));
}

// The official schemas carry no $schema/$id and put minItems inside `items`; ajv's strict mode would
// refuse them for style, not substance, so strict is off (the validation itself is full).
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
// Swagger 2 documents use "uid" for identifiers: any string.
ajv.addFormat("uid", true);
for (const name of ["request.json", "requests.json", "service.json", "services.json", "service-definition.json"]) {
  ajv.addSchema(schema(name), name);
}
// The Swagger document's definitions for what the JSON Schema files do not cover (POST response, token).
const swagger = schema("swagger.json");
ajv.addSchema(
  { type: "array", items: { ...swagger.definitions.RequestResponse, type: "object" } },
  "request-response.json",
);

export type SchemaName =
  | "request.json"
  | "requests.json"
  | "service.json"
  | "services.json"
  | "service-definition.json"
  | "request-response.json";

/** Validate against an official schema; returns the ajv errors text or "" when valid. */
export function schemaErrors(name: SchemaName, data: unknown): string {
  const validate = ajv.getSchema(name);
  if (!validate) throw new Error(`no schema ${name}`);
  return validate(data) ? "" : ajv.errorsText(validate.errors, { separator: "\n" });
}

export interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

/** Parse XML strictly (throws on anything not well-formed) into a small tree. */
export function parseXml(text: string): { declaration: string | null; root: XmlElement } {
  const parser = sax.parser(true, { trim: false });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let declaration: string | null = null;
  let error: Error | undefined;
  parser.onerror = (e) => {
    error = e;
  };
  parser.onprocessinginstruction = (pi) => {
    if (pi.name === "xml") declaration = pi.body;
  };
  parser.onopentag = (tag) => {
    const el: XmlElement = { name: tag.name, children: [], text: "" };
    if (stack.length) stack[stack.length - 1].children.push(el);
    else if (root) error ??= new Error("more than one root element");
    else root = el;
    stack.push(el);
  };
  parser.ontext = (t) => {
    if (stack.length) stack[stack.length - 1].text += t;
    else if (t.trim()) error ??= new Error("text outside the root element");
  };
  parser.onclosetag = () => {
    stack.pop();
  };
  parser.write(text).close();
  if (error) throw error;
  if (!root) throw new Error("no root element");
  return { declaration, root };
}

/** The XML tree mapped back to JSON the Spark way: list elements → arrays, leaves → strings. */
export function sparkJson(el: XmlElement, listNames = LIST_NAMES): unknown {
  if (listNames.has(el.name)) return el.children.map((c) => sparkJson(c, listNames));
  if (el.children.length === 0) return el.text.trim() === "" ? null : el.text.trim();
  return Object.fromEntries(el.children.map((c) => [c.name, sparkJson(c, listNames)]));
}
const LIST_NAMES = new Set(["services", "service_requests", "attributes", "values", "errors", "endpoints", "formats"]);

/** JSON with every scalar as the string XML would carry (null stays null), for comparing the formats. */
export function asXmlStrings(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(asXmlStrings);
  if (typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, asXmlStrings(v)]),
    );
  }
  const s = String(value).trim();
  return s === "" ? null : s;
}

/** Call the Open311 app in process. `form` is sent form-encoded; `T` names the shape of a JSON answer. */
export async function o311<T = Unchecked>(
  pathname: string,
  init: RequestInit & { form?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const { form, ...rest } = init;
  const headers = new Headers(rest.headers);
  let body = rest.body;
  if (form) {
    headers.set("content-type", "application/x-www-form-urlencoded; charset=utf-8");
    body = new URLSearchParams(form).toString();
  }
  const res = await open311.request(`/open311/v2${pathname}`, { ...rest, headers, body });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: parsed as T };
}

/** Assert the GeoReport error format (JSON): a non-empty list of { code, description }. */
export function expectOpen311Errors(body: unknown): { code: number; description: string }[] {
  if (
    !Array.isArray(body) ||
    body.length === 0 ||
    !body.every((e) => typeof e?.code === "number" && typeof e?.description === "string" && e.description)
  ) {
    throw new Error(`not a GeoReport error list: ${JSON.stringify(body)}`);
  }
  return body;
}
