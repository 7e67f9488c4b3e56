// The text fields of a submitted form, kept for showing the form again: each key's value as a string
// ("" when absent), cut to a maximum length and optionally trimmed. No form (a GET) gives no values.
export function formFields(
  form: FormData | undefined,
  keys: readonly string[],
  { max, trim = false }: { max: number; trim?: boolean },
): Record<string, string> {
  const v: Record<string, string> = {};
  if (!form) return v;
  for (const k of keys) {
    const s = String(form.get(k) ?? "");
    v[k] = (trim ? s.trim() : s).slice(0, max);
  }
  return v;
}
