// The shapes of JSON answers as tests read them: only the fields a test looks at, named so a typo or a
// renamed field fails to compile instead of reading undefined. Pass one to api<T>() or Signed.call<T>().

/** A list answer: `{ items: [...] }` (paged lists add their totals beside it). */
export interface Items<T> {
  items: T[];
}

/** One row of a report grouped by a key (a year, a level, a category, a unit…). */
export interface KeyRow {
  key: string;
}

/** A report answer: `{ rows: [...] }`. */
export interface Rows<T> {
  rows: T[];
}

/** A validation error's details: one entry per field that was refused. */
export type FieldErrors = { path: string }[];

/** An import's refusal details: one problem per cell (or header) of the file. */
export interface ImportProblems {
  problems: { row?: number; column?: string; value?: string; problem: string; expected?: string }[];
}
