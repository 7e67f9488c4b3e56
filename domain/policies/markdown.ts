import { Marked } from "marked";
import sanitizeHtml from "sanitize-html";
import { DOCUMENT_TAGS, DROPPED_WITH_CONTENT } from "../../lib/document-markup";

// Staff-entered Markdown (policy documents, yearbook chapters) → safe HTML. Raw HTML in the source is
// allowed through marked but then sanitised: scripts, event handlers, styles, iframes and javascript:
// URLs are removed; what remains is plain document markup.

const marked = new Marked({ gfm: true, breaks: false, async: false });

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ["h2", "h3", "h4", "h5", "h6", ...DOCUMENT_TAGS, "b", "i", "caption", "del", "sup", "sub", "span"],
  allowedAttributes: { a: ["href", "title"], th: ["align", "scope"], td: ["align"], ol: ["start"] },
  allowedSchemes: ["http", "https", "mailto", "tel"],
  allowedSchemesAppliedToAttributes: ["href"],
  allowProtocolRelative: false,
  nonTextTags: DROPPED_WITH_CONTENT,
  transformTags: {
    // The page has its own h1; a document's "# " heading becomes h2.
    h1: "h2",
    a: (tagName, attribs) => {
      const external = /^https?:/i.test(attribs.href ?? "");
      return {
        tagName,
        attribs: external ? { ...attribs, rel: "noopener noreferrer nofollow" } : attribs,
      };
    },
  },
};
OPTIONS.allowedAttributes = { ...(OPTIONS.allowedAttributes as object), a: ["href", "title", "rel"] };

/** Render Markdown to HTML that is safe to insert into a page (set:html). */
export function renderMarkdown(source: string): string {
  const html = marked.parse(source) as string;
  return sanitizeHtml(html, OPTIONS);
}

/** Markdown → plain text (search bodies, descriptions). */
export function markdownToText(source: string): string {
  return sanitizeHtml(renderMarkdown(source), { allowedTags: [], allowedAttributes: {} })
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, " ")
    .trim();
}
