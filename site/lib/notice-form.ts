import { NOTICE_FIELDS, type NoticeInput } from "../../domain/notices/notices";

export { formErrors } from "./form-errors";

// Form ⇄ NoticeInput for the publisher's notice pages (site/pages/console/publish/notices/*).

export const NOTICE_FORM_KEYS = [
  "title",
  "district",
  "town",
  "village",
  "docNumber",
  ...NOTICE_FIELDS.map(([k]) => k),
  "body",
  "periodDays",
] as const;

/** The submitted values (kept for re-rendering) and the NoticeInput they make. */
export function readNoticeForm(form: FormData): { v: Record<string, string>; input: NoticeInput } {
  const v: Record<string, string> = {};
  for (const k of NOTICE_FORM_KEYS) v[k] = String(form.get(k) ?? "").slice(0, 8000);
  const input: Record<string, unknown> = { ...v };
  input.town = v.town || null;
  input.village = v.village || null;
  input.docNumber = v.docNumber || null;
  input.periodDays = v.periodDays ? Number(v.periodDays) : undefined;
  return { v, input: input as unknown as NoticeInput };
}

/** A required reason (shown to the public): trimmed, 2–500 characters. */
export function checkReason(raw: FormDataEntryValue | null): string | null {
  const r = String(raw ?? "").trim();
  return r.length >= 2 && r.length <= 500 ? r : null;
}
