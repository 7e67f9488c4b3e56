import { AppError } from "../../lib/errors";

// What a form page shows when the domain refuses a submission (an AppError; anything else is rethrown).

/** Field errors from an AppError (details [{path, message}]), and the message when none. */
export function formErrors(err: unknown): { errors: Record<string, string>; general: string | null; status: number } {
  if (!(err instanceof AppError)) throw err;
  const details = Array.isArray(err.details) ? (err.details as { path: string; message: string }[]) : [];
  const errors: Record<string, string> = {};
  for (const d of details) errors[d.path || "general"] ??= d.message;
  return { errors, general: details.length ? null : err.message, status: err.status };
}

/**
 * A record page's refused submission: null when the record does not exist (the page answers 404),
 * else the field errors (the page's own, then the domain's), the form's message (`fallback` when the
 * domain named only fields) and the status.
 */
export function refusedSubmission(
  err: unknown,
  earlier: Record<string, string>,
  fallback: string | null = null,
): { errors: Record<string, string>; general: string | null; status: number } | null {
  if (err instanceof AppError && err.code === "NOT_FOUND") return null;
  const f = formErrors(err);
  return { errors: { ...earlier, ...f.errors }, general: f.general ?? fallback, status: f.status };
}

/**
 * A refused submission on a page that keeps one `errors` object: adds the field errors it does not
 * have yet, sets the response's status, and returns the form's message (null when fields were named).
 */
export function showRefusal(
  err: unknown,
  errors: Record<string, string>,
  response: { status?: number },
): string | null {
  const f = formErrors(err);
  for (const [k, m] of Object.entries(f.errors)) errors[k] ??= m;
  response.status = f.status;
  return f.general;
}
