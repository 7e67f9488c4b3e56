import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { asc, desc, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { policies } from "../../db/schema";
import { conflict, notFound } from "../../lib/errors";
import { syncSearch } from "../../search/sync";
import { appendAudit } from "../audit/audit-log";
import { parseStructured, type StructuredDocument, structuredPlainText } from "./founding";
import { markdownToText, renderMarkdown } from "./markdown";

export const FOUNDING_SLUG = "zibo-2018-action-plan";

export interface PolicySummary {
  id: number;
  slug: string;
  title: string;
  issuer: string;
  docNumber: string | null;
  issuedOn: string;
  format: "markdown" | "structured";
  isDemo: boolean;
}

export interface PolicyDetail extends PolicySummary {
  body: string;
  /** Sanitised HTML for markdown documents (null for structured ones). */
  html: string | null;
  /** Parsed structure for the founding document (null for markdown ones). */
  structure: StructuredDocument | null;
  updatedAt: string;
}

type Row = typeof policies.$inferSelect;

function summary(r: Row): PolicySummary {
  return {
    id: r.id,
    slug: r.slug,
    title: r.title,
    issuer: r.issuer,
    docNumber: r.docNumber,
    issuedOn: r.issuedOn,
    format: r.format as PolicySummary["format"],
    isDemo: r.isDemo,
  };
}

// Parsing the founding document (40 KB) takes a few ms; keep the result per version.
const structureCache = new Map<string, StructuredDocument>();

function detail(r: Row): PolicyDetail {
  let structure: StructuredDocument | null = null;
  if (r.format === "structured") {
    const key = `${r.id}:${r.updatedAt.toISOString()}`;
    structure = structureCache.get(key) ?? parseStructured(r.body);
    structureCache.set(key, structure);
  }
  return {
    ...summary(r),
    body: r.body,
    html: r.format === "markdown" ? renderMarkdown(r.body) : null,
    structure,
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** All policy documents, the founding document first, then newest first. */
export async function listPolicies(db: Db): Promise<PolicySummary[]> {
  const result = await db
    .select()
    .from(policies)
    .orderBy(asc(policies.sort), desc(policies.issuedOn), desc(policies.id));
  return result.map(summary);
}

export async function getPolicy(db: Db, slug: string): Promise<PolicyDetail> {
  const [r] = await db.select().from(policies).where(eq(policies.slug, slug));
  if (!r) throw notFound(`没有这份政策文件：${slug}`);
  return detail(r);
}

export async function getPoliciesByIds(db: Db, ids: number[]): Promise<PolicyDetail[]> {
  if (ids.length === 0) return [];
  const result = await db.select().from(policies);
  return result.filter((r) => ids.includes(r.id)).map(detail);
}

/** Plain text of a document for search and descriptions. */
export function policyPlainText(p: PolicyDetail): string {
  return p.structure ? structuredPlainText(p.structure) : markdownToText(p.body);
}

export interface NewPolicy {
  title: string;
  issuer: string;
  docNumber?: string | null;
  issuedOn: string;
  body: string;
  slug?: string;
}

/** A staff-entered document (Markdown body, rendered sanitised). */
export async function createPolicy(db: Db, input: NewPolicy, opts: { createdBy?: number } = {}): Promise<PolicyDetail> {
  const slug = input.slug ?? `${input.issuedOn.replace(/-/g, "")}-${randomBytes(3).toString("hex")}`;
  return db.transaction(async (tx) => {
    const [existing] = await tx.select({ id: policies.id }).from(policies).where(eq(policies.slug, slug));
    if (existing) throw conflict(`地址名 ${slug} 已被另一份文件使用`, { field: "slug" });
    const [r] = await tx
      .insert(policies)
      .values({
        slug,
        title: input.title,
        issuer: input.issuer,
        docNumber: input.docNumber || null,
        issuedOn: input.issuedOn,
        format: "markdown",
        body: input.body,
        sort: 10,
        createdBy: opts.createdBy ?? null,
      })
      .returning();
    await syncSearch(tx, "policy", [r.id]);
    await appendAudit(tx, {
      actorId: opts.createdBy ?? null,
      action: "policy.create",
      subjectType: "policy",
      subjectId: String(r.id),
      details: { slug, title: input.title },
    });
    return detail(r);
  });
}

/** The cleaned founding document shipped with the code (next to this file). */
export function foundingDocumentText(): string {
  const candidates = [
    path.resolve(process.cwd(), "domain/policies/zibo-2018-poverty-action-plan.txt"),
    new URL("./zibo-2018-poverty-action-plan.txt", import.meta.url),
  ];
  for (const file of candidates) {
    try {
      return readFileSync(file, "utf8");
    } catch {}
  }
  throw new Error("domain/policies/zibo-2018-poverty-action-plan.txt not found");
}

/** Publish the founding document as the first policy (idempotent; updates the text if it changed). */
export async function ensureFoundingDocument(db: Db): Promise<number> {
  const body = foundingDocumentText();
  const parsed = parseStructured(body);
  return db.transaction(async (tx) => {
    const [existing] = await tx.select().from(policies).where(eq(policies.slug, FOUNDING_SLUG));
    if (existing && existing.body === body) return existing.id;
    const values = {
      slug: FOUNDING_SLUG,
      title: parsed.title,
      issuer: "中共淄博市委 淄博市人民政府",
      docNumber: null,
      issuedOn: "2018-10-29",
      format: "structured",
      body,
      sort: 0,
      isDemo: false,
    };
    const [r] = existing
      ? await tx
          .update(policies)
          .set({ ...values, updatedAt: new Date() })
          .where(eq(policies.id, existing.id))
          .returning()
      : await tx.insert(policies).values(values).returning();
    await syncSearch(tx, "policy", [r.id]);
    return r.id;
  });
}
