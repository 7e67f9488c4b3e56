import type { Db } from "../../db/client";
import type { SearchDocument, SearchSource } from "../../search/contract";
import { getPoliciesByIds, listPolicies, policyPlainText } from "./policies";

/** Policy documents; the founding document is one document (its measures are anchors on its page). */
export const policySource: SearchSource = {
  type: "policy",
  async load(db: Db, ids?: string[]): Promise<SearchDocument[]> {
    const wanted = ids ? ids.map(Number).filter(Number.isInteger) : (await listPolicies(db)).map((p) => p.id);
    const docs = await getPoliciesByIds(db, wanted);
    return docs.map((p) => ({
      type: "policy",
      id: String(p.id),
      title: p.title,
      body: policyPlainText(p),
      url: `/policies/${p.slug}`,
      date: p.issuedOn,
      year: Number(p.issuedOn.slice(0, 4)),
      district: null,
      keywords: [p.issuer, ...(p.docNumber ? [p.docNumber] : [])],
    }));
  },
};
