// Personal data taken out of text before it is shown to the public: mainland phone numbers (mobile,
// landline with area code), resident ID numbers (18 digits, the last may be X; the old 15-digit form)
// and the given names (the reporter's own). Digits may be broken up by spaces or hyphens, as people
// type them. Hotline numbers such as 12317 are short and stay.

export const REDACTED = "***";

const SEP = "[\\s-]?";
const digits = (n: number) => Array.from({ length: n }, () => "\\d").join(SEP);
const MOBILE = `(?:\\+?86${SEP})?1[3-9]${SEP}${digits(9)}`;
const ID18 = `[1-9]${SEP}${digits(16)}${SEP}[\\dXx]`;
const ID15 = `[1-9]${digits(14)}`;
const LANDLINE = `0\\d{2,3}${SEP}\\d{7,8}`;
// Longest first; (?<!\d)…(?!\d) keeps a match from starting or ending inside a longer number.
const NUMBERS = new RegExp(`(?<![\\dA-Za-z])(?:${ID18}|${ID15}|${MOBILE}|${LANDLINE})(?![\\dXx])`, "g");

function escapeRegex(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The text with phone numbers, ID numbers and each of `names` (2+ characters) replaced by ***. */
export function redactPersonalData(text: string, names: readonly string[] = []): string {
  let out = text.replace(NUMBERS, REDACTED);
  const wanted = [...new Set(names.map((n) => n.trim()).filter((n) => [...n].length >= 2))].sort(
    (a, b) => b.length - a.length,
  );
  for (const name of wanted) out = out.replace(new RegExp(escapeRegex(name), "g"), REDACTED);
  return out;
}
