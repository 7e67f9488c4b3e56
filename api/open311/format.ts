import { escapeXml } from "../../lib/xml";

// Open311 GeoReport v2 output: XML is the spec's required format, JSON its "Spark convention" mapping
// (an XML list element <services><service/>…</services> is a JSON array; scalars are text nodes).
// Both are produced from one plain value so the two formats cannot drift apart.

export type Format = "json" | "xml";
export type Scalar = string | number | boolean | null | undefined;
export type Node = Scalar | Node[] | { [key: string]: Node };

/** The element name of one item of each list the spec defines. */
const ITEM_NAME: Record<string, string> = {
  services: "service",
  service_requests: "request",
  attributes: "attribute",
  values: "value",
  errors: "error",
  endpoints: "endpoint",
  formats: "format",
};

/** Split "services.json" into its resource and format; undefined when the suffix is not a format. */
export function splitFormat(file: string): { name: string; format: Format } | undefined {
  const dot = file.lastIndexOf(".");
  if (dot <= 0) return undefined;
  const ext = file.slice(dot + 1).toLowerCase();
  if (ext !== "json" && ext !== "xml") return undefined;
  return { name: file.slice(0, dot), format: ext };
}

function element(name: string, value: Node, indent: string): string {
  if (Array.isArray(value)) {
    const item = ITEM_NAME[name] ?? "item";
    if (value.length === 0) return `${indent}<${name}/>\n`;
    return `${indent}<${name}>\n${value.map((v) => element(item, v, `${indent}  `)).join("")}${indent}</${name}>\n`;
  }
  if (value !== null && typeof value === "object") {
    const children = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => element(k, v, `${indent}  `))
      .join("");
    return `${indent}<${name}>\n${children}${indent}</${name}>\n`;
  }
  if (value === null || value === undefined) return `${indent}<${name}/>\n`;
  return `${indent}<${name}>${escapeXml(String(value))}</${name}>\n`;
}

/** An XML document whose root is `root` (a list root takes its items' names from ITEM_NAME). */
export function toXml(root: string, value: Node): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${element(root, value, "")}`;
}

/** JSON drops undefined fields (the XML leaves them out too); nulls stay, as in the spec's examples. */
export function toJson(value: Node): string {
  return JSON.stringify(value);
}

export const CONTENT_TYPE: Record<Format, string> = {
  json: "application/json; charset=utf-8",
  xml: "text/xml; charset=utf-8",
};

export function render(format: Format, root: string, value: Node): string {
  return format === "xml" ? toXml(root, value) : toJson(value);
}
