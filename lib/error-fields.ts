// What of an error may go to the log. Error messages carry data: drizzle's "Failed query: … params: …"
// holds every bound value (a reporter's description, phone, ID number), PostgreSQL quotes the offending
// input ('invalid input syntax for type integer: "…"'), JSON.parse quotes the body it choked on. So the
// log gets the error's class, SQLSTATE and constraint, a message with quoted parts and long digit runs
// removed, and stack frames without the message line — enough to find the bug, nothing a person typed.

const QUOTED = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|“[^”]*”|「[^」]*」/g;
const LONG_DIGITS = /\d{6,}/g;
const MAX_MESSAGE = 300;

/** A message fit for the log (see above). */
export function scrubMessage(message: string): string {
  let m = message;
  const failed = m.indexOf("Failed query:");
  if (failed >= 0) {
    const params = m.indexOf("\nparams:", failed);
    m = params >= 0 ? m.slice(0, params) : m;
  }
  m = m.replace(/\bparams:[\s\S]*$/, "params: [omitted]");
  m = m.replace(QUOTED, "[quoted]").replace(LONG_DIGITS, "[digits]");
  return m.length > MAX_MESSAGE ? `${m.slice(0, MAX_MESSAGE)}…` : m;
}

/** Stack frames only (the first line of a stack repeats the message). */
export function scrubStack(stack: string): string {
  return stack
    .split("\n")
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 12)
    .map((line) => line.replace(QUOTED, "[quoted]"))
    .join("\n");
}

interface DatabaseErrorLike {
  code?: unknown;
  constraint?: unknown;
  constraint_name?: unknown;
  table?: unknown;
  table_name?: unknown;
  column?: unknown;
  column_name?: unknown;
  cause?: unknown;
  name?: unknown;
}

/** SQLSTATE of a database error anywhere in the cause chain (five characters), if any. */
export function sqlStateOf(err: unknown): string | undefined {
  for (let e = err as DatabaseErrorLike | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
    e = e.cause as DatabaseErrorLike | undefined;
  }
  return undefined;
}

/** The log fields for an error. */
export function errorFields(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { error: scrubMessage(String(err)) };
  const out: Record<string, unknown> = { errorClass: err.name };
  for (let e = err as DatabaseErrorLike | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) {
      out.sqlState = e.code;
      const constraint = e.constraint ?? e.constraint_name;
      const table = e.table ?? e.table_name;
      const column = e.column ?? e.column_name;
      if (typeof constraint === "string") out.constraint = constraint;
      if (typeof table === "string") out.table = table;
      if (typeof column === "string") out.column = column;
      break;
    }
    e = e.cause as DatabaseErrorLike | undefined;
  }
  // A database error's message and detail quote values: the SQLSTATE says what happened.
  out.error = out.sqlState ? "database error" : scrubMessage(err.message);
  if (err.stack) out.stack = scrubStack(err.stack);
  return out;
}
