import { sqlStateOf } from "./error-fields";

// A safety net under edge validation: when PostgreSQL refuses a value (out of range, not a valid number
// or date, too long, a reference to nothing), the request carried a value the edge should have caught —
// it is the client's 400, not a 500. Edge validation (zod schemas, lib/unsafe-text.ts) remains the rule;
// every time this net catches something it is logged as a warning, so the missing check can be added.

const INPUT_PROBLEMS: Record<string, string> = {
  "22001": "提交的文字超过了允许的长度",
  "22003": "提交的数值超出了允许的范围",
  "22007": "提交的日期或时间格式不正确",
  "22008": "提交的日期或时间超出了允许的范围",
  "22021": "提交的内容含有无效字符",
  "22P02": "提交的值格式不正确",
  "22P05": "提交的内容含有无法保存的字符",
  "23503": "提交的内容引用了不存在的记录",
};

/** A message for the person when the database refused an input value; null for any other error. */
export function databaseInputProblem(err: unknown): string | null {
  const state = sqlStateOf(err);
  return state ? (INPUT_PROBLEMS[state] ?? null) : null;
}
