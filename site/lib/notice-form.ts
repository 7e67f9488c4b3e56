import { NOTICE_FIELDS, type NoticeInput } from "../../domain/notices/notices";
import { AppError } from "../../lib/errors";

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

/** Field errors from an AppError (details [{path, message}]), and the message when none. */
export function formErrors(err: unknown): { errors: Record<string, string>; general: string | null; status: number } {
  if (!(err instanceof AppError)) throw err;
  const details = Array.isArray(err.details) ? (err.details as { path: string; message: string }[]) : [];
  const errors: Record<string, string> = {};
  for (const d of details) errors[d.path || "general"] ??= d.message;
  return { errors, general: details.length ? null : err.message, status: err.status };
}

/** A required reason (shown to the public): trimmed, 2–500 characters. */
export function checkReason(raw: FormDataEntryValue | null): string | null {
  const r = String(raw ?? "").trim();
  return r.length >= 2 && r.length <= 500 ? r : null;
}
