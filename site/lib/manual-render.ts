import { Marked } from "marked";
import sanitizeHtml from "sanitize-html";
import { DOCUMENT_TAGS, DROPPED_WITH_CONTENT } from "../../lib/document-markup";

// The Chinese manuals in docs/zh/ are written for GitHub and served by the site under /help. Both must
// agree on where a link goes: headings get the id GitHub gives them (so `#登记来电` works in both
// places), links to another manual (`handler.md#…`) become /help/… links, and images (`img/x.png`)
// point at the built asset.

const marked = new Marked({ gfm: true, breaks: false, async: false });

/** GitHub's heading anchor: lower case, punctuation dropped, spaces become hyphens. */
export function headingSlug(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" };
function textOf(html: string): string {
  return html.replace(/<[^>]*>/g, "").replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ENTITIES[e] ?? "");
}

/** The headings (level 2–4) of a Markdown source, as text, in order. */
export function manualHeadings(source: string): string[] {
  const tokens = marked.lexer(source);
  const out: string[] = [];
  for (const t of tokens) {
    if (t.type === "heading" && t.depth >= 2 && t.depth <= 4) out.push(textOf(marked.parseInline(t.text) as string));
  }
  return out;
}

export interface ManualLinks {
  /** `handler.md` → `/help/handler`; null leaves the link as written. */
  manualHref(file: string): string | null;
  /** `img/x.png` → its URL and size; null drops the image. */
  image(path: string): { src: string; width?: number; height?: number } | null;
}

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ["h1", "h2", "h3", "h4", ...DOCUMENT_TAGS, "img", "kbd"],
  allowedAttributes: {
    a: ["href", "title", "rel"],
    img: ["src", "alt", "width", "height", "loading"],
    h1: ["id"],
    h2: ["id"],
    h3: ["id"],
    h4: ["id"],
    th: ["align"],
    td: ["align"],
    ol: ["start"],
  },
  allowedSchemes: ["http", "https", "tel"],
  allowProtocolRelative: false,
  nonTextTags: DROPPED_WITH_CONTENT,
};

/** Render a manual to safe HTML with GitHub's heading ids and the site's links and image URLs. */
export function renderManual(source: string, links: ManualLinks): string {
  let html = marked.parse(source) as string;
  const seen = new Map<string, number>();
  html = html.replace(/<h([1-4])>([\s\S]*?)<\/h\1>/g, (_, level: string, inner: string) => {
    let id = headingSlug(textOf(inner));
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    if (n > 0) id = `${id}-${n}`;
    return `<h${level} id="${id}">${inner}</h${level}>`;
  });
  html = html.replace(/<a href="([^"#:]+\.md)(#[^"]*)?"/g, (whole, file: string, hash?: string) => {
    const href = links.manualHref(file);
    return href === null ? whole : `<a href="${href}${hash ?? ""}"`;
  });
  html = html.replace(/<img src="([^"]+)" alt="([^"]*)"[^>]*>/g, (_, src: string, alt: string) => {
    const img = links.image(src);
    if (!img) return "";
    const size = img.width && img.height ? ` width="${img.width}" height="${img.height}"` : "";
    return `<img src="${img.src}" alt="${alt}"${size} loading="lazy">`;
  });
  return sanitizeHtml(html, OPTIONS);
}
