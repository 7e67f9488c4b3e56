import type { FileTicketInput } from "../../domain/hotline/input";

// The /report form ↔ the JSON contract: field names of the form, and error paths back to form fields.

export interface ReportFormValues {
  kind: string;
  category: string;
  title: string;
  description: string;
  district: string;
  town: string;
  village: string;
  noticeId: string;
  subjectUnit: string;
  subjectPerson: string;
  subjectPost: string;
  anonymous: "yes" | "no";
  name: string;
  phone: string;
  contact: string;
  token: string;
}

export const EMPTY_FORM: ReportFormValues = {
  kind: "",
  category: "",
  title: "",
  description: "",
  district: "",
  town: "",
  village: "",
  noticeId: "",
  subjectUnit: "",
  subjectPerson: "",
  subjectPost: "",
  anonymous: "yes",
  name: "",
  phone: "",
  contact: "phone",
  token: "",
};

export function formValues(form: FormData): ReportFormValues {
  const get = (k: string, max = 200) => String(form.get(k) ?? "").slice(0, max);
  return {
    kind: get("kind", 20),
    category: get("category", 50),
    title: get("title", 300),
    // Keep what the person typed even when too long, so the error can say so without losing it.
    description: get("description", 20_000),
    district: get("district", 50),
    town: get("town", 50),
    village: get("village", 100),
    noticeId: get("noticeId", 12),
    subjectUnit: get("subjectUnit", 200),
    subjectPerson: get("subjectPerson", 100),
    subjectPost: get("subjectPost", 100),
    anonymous: get("anonymous", 3) === "no" ? "no" : "yes",
    name: get("name", 100),
    phone: get("phone", 30),
    contact: get("contact", 10) || "phone",
    token: get("token", 128),
  };
}

export function toInput(v: ReportFormValues): Record<string, unknown> {
  const opt = (s: string) => (s.trim() ? s.trim() : undefined);
  const subject =
    v.subjectUnit.trim() || v.subjectPerson.trim() || v.subjectPost.trim()
      ? { unit: opt(v.subjectUnit), person: opt(v.subjectPerson), post: opt(v.subjectPost) }
      : undefined;
  return {
    kind: opt(v.kind),
    category: opt(v.category),
    title: v.title,
    description: v.description,
    district: opt(v.district),
    town: opt(v.town),
    village: opt(v.village),
    noticeId: opt(v.noticeId),
    subject,
    reporter:
      v.anonymous === "no"
        ? { anonymous: false, name: v.name, phone: v.phone, contact: v.contact }
        : { anonymous: true },
  } satisfies Partial<Record<keyof FileTicketInput, unknown>>;
}

const PATH_TO_FIELD: Record<string, keyof ReportFormValues> = {
  kind: "kind",
  category: "category",
  title: "title",
  description: "description",
  district: "district",
  town: "town",
  village: "village",
  noticeId: "noticeId",
  "subject.unit": "subjectUnit",
  "subject.person": "subjectPerson",
  "subject.post": "subjectPost",
  reporter: "anonymous",
  "reporter.anonymous": "anonymous",
  "reporter.name": "name",
  "reporter.phone": "phone",
  "reporter.contact": "contact",
};

/** Validation details → { field: message } (first message per field). */
export function fieldErrors(details: unknown): Partial<Record<keyof ReportFormValues, string>> {
  const out: Partial<Record<keyof ReportFormValues, string>> = {};
  if (!Array.isArray(details)) return out;
  for (const d of details as { path?: string; message?: string }[]) {
    const field = PATH_TO_FIELD[d.path ?? ""];
    if (field && d.message && !out[field]) out[field] = d.message;
  }
  return out;
}
