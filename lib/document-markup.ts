// The HTML a rendered Markdown document may keep after sanitising, shared by every renderer (policy
// documents, yearbook chapters, the manuals); each adds its own headings and extras.

/** Paragraphs, lists, quotes, emphasis, code, links and tables. */
export const DOCUMENT_TAGS = [
  "p",
  "br",
  "hr",
  "blockquote",
  "ul",
  "ol",
  "li",
  "strong",
  "em",
  "code",
  "pre",
  "a",
  "table",
  "thead",
  "tbody",
  "tr",
  "th",
  "td",
];

/** Elements dropped with everything inside them, never shown as text. */
export const DROPPED_WITH_CONTENT = ["script", "style", "textarea", "option", "noscript", "iframe"];
