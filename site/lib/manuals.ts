import type { StaffRole } from "../../domain/auth/principal";
import { headingSlug, renderManual } from "./manual-render";

// The manuals served under /help: the citizen guide at /help, one manual per staff role at /help/<role>.
// The Markdown is read at build time from docs/zh/, so the site and the repository show the same text.

export type ManualId = "citizen" | StaffRole;

export const MANUAL_TITLES: Record<ManualId, string> = {
  citizen: "市民指南",
  operator: "接线员操作手册",
  handler: "承办人操作手册",
  supervisor: "督办操作手册",
  inspector: "纪检监察操作手册",
  publisher: "信息发布操作手册",
  admin: "管理员操作手册",
};

const SOURCES = import.meta.glob("../../docs/zh/*.md", { query: "?raw", import: "default", eager: true }) as Record<
  string,
  string
>;
// Astro gives an image import as { src, width, height }; plain Vite as a URL string.
const IMAGES = import.meta.glob("../../docs/zh/img/*.png", { import: "default", eager: true }) as Record<
  string,
  string | { src: string; width: number; height: number }
>;

export function manualPath(id: ManualId): string {
  return id === "citizen" ? "/help" : `/help/${id}`;
}

export function isManualId(id: string): id is ManualId {
  return Object.hasOwn(MANUAL_TITLES, id);
}

const sourceOf = (name: string): string | undefined => SOURCES[`../../docs/zh/${name}.md`];

/** Other Chinese pages in docs/zh/ that the manuals link to (e.g. proof.md), served at /help/<name>. */
export function isHelpPage(name: string): boolean {
  return /^[a-z0-9-]+$/.test(name) && name !== "README" && sourceOf(name) !== undefined;
}

const rendered = new Map<string, string>();

/** The page's safe HTML (rendered once per process): a manual, or another page of docs/zh/. */
export function manualHtml(id: string): string {
  const cached = rendered.get(id);
  if (cached !== undefined) return cached;
  const source = sourceOf(id);
  if (source === undefined) throw new Error(`docs/zh/${id}.md is missing`);
  const html = renderManual(source, {
    manualHref: (file) => {
      const name = file.replace(/^\.\//, "").replace(/\.md$/, "");
      if (isManualId(name)) return manualPath(name);
      return isHelpPage(name) ? `/help/${name}` : null;
    },
    image: (src) => {
      const m = IMAGES[`../../docs/zh/${src.replace(/^\.\//, "")}`];
      if (m === undefined) return null;
      return typeof m === "string" ? { src: m } : { src: m.src, width: m.width, height: m.height };
    },
  });
  rendered.set(id, html);
  return html;
}

/** Link to a section of a manual, by its heading text. */
export function helpHref(id: ManualId, heading: string): string {
  return `${manualPath(id)}#${headingSlug(heading)}`;
}

/** A docs/zh/ page's title: its first heading. */
export function helpPageTitle(name: string): string {
  return /^# (.+)$/m.exec(sourceOf(name) ?? "")?.[1]?.trim() ?? name;
}
