import { validationFailed } from "./errors";

// `updatedSince` on the public lists: an ISO 8601 date or date-time (with a zone, or read as UTC).
// Anything else — "yesterday", "2026-13-01", a bare year — is a 400 naming the parameter.

const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

export function parseUpdatedSince(value: string | null | undefined): Date | null {
  if (value == null || value === "") return null;
  const v = value.trim();
  const t = ISO.test(v)
    ? Date.parse(/[T ]\d{2}:\d{2}/.test(v) && !/(Z|[+-]\d{2}:?\d{2})$/i.test(v) ? `${v}Z` : v)
    : Number.NaN;
  if (Number.isNaN(t))
    throw validationFailed("updatedSince 应为 ISO 8601 时间，如 2026-11-01T00:00:00+08:00", [
      { path: "updatedSince", message: "时间格式有误" },
    ]);
  return new Date(t);
}
