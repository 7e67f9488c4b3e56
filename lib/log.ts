import { env } from "./env";
import { errorFields, scrubMessage, scrubStack } from "./error-fields";

// Structured JSON lines on stdout. Callers pass only non-personal fields: never a reporter's name,
// phone, receipt code or free text. The redaction below is a second line of defence, not the first.
const levels = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = Exclude<keyof typeof levels, "silent">;

const SENSITIVE_KEYS =
  /^(name|phone|mobile|receipt|password|token|description|reporter|identity|body|cookie|authorization)$/i;

// Error text goes through lib/error-fields.ts wherever a caller put it: a message or stack can quote the
// data that caused it (a failed query's parameters, the input PostgreSQL refused).
const ERROR_TEXT_KEYS = /^(error|message|reason|cause)$/i;

function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (SENSITIVE_KEYS.test(k)) out[k] = "[redacted]";
    else if (v instanceof Error) Object.assign(out, errorFields(v));
    else if (typeof v === "string" && ERROR_TEXT_KEYS.test(k)) out[k] = scrubMessage(v);
    else if (typeof v === "string" && k === "stack") out[k] = scrubStack(v);
    else out[k] = v;
  }
  return out;
}

function write(level: Level, msg: string, fields: Record<string, unknown> = {}) {
  if (levels[level] < levels[env().LOG_LEVEL]) return;
  const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...redact(fields) });
  (level === "error" || level === "warn" ? process.stderr : process.stdout).write(`${line}\n`);
}

export const log = {
  debug: (msg: string, fields?: Record<string, unknown>) => write("debug", msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => write("info", msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write("warn", msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write("error", msg, fields),
};
