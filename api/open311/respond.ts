import { type Context, Hono } from "hono";
import type { AppEnv } from "../context";
import { notFound311 } from "./errors";
import { CONTENT_TYPE, type Format, type Node, render, splitFormat } from "./format";

// What every Open311 resource router uses: its own Hono router, the "<name>.<format>" file of a path,
// and a response rendered in that format.

/** A router for one Open311 resource, mounted on the Open311 app. */
export const open311Router = () => new Hono<AppEnv>();

/** Resolve "<name>.<fmt>" or fail with 404 (unknown format = no such resource). */
export function resource(file: string) {
  const split = splitFormat(file);
  if (!split) throw notFound311(`没有这个资源：${file}（请在资源名后加 .json 或 .xml）`);
  return split;
}

export function send(c: Context<AppEnv>, format: Format, root: string, value: Node, status: 200 | 201 = 200) {
  return c.body(render(format, root, value), status, { "Content-Type": CONTENT_TYPE[format] });
}
