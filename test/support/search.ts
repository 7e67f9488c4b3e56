import type { SearchDocument } from "../../search/contract";

/** A search document with defaults for what a test leaves out (no body, a 2018 date, no district). */
export const searchDocument = (
  d: Partial<SearchDocument> & Pick<SearchDocument, "type" | "id" | "title">,
): SearchDocument => ({
  body: "",
  url: `/${d.type}s/${d.id}`,
  date: "2018-06-01",
  year: 2018,
  district: null,
  ...d,
});
