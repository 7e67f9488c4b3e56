// Public ticket numbers: ZB-<year>-<serial>, the serial zero-padded to at least six digits and growing
// past 999999 (filing.ts). Everything that accepts a number from a person checks it with this.
export const TICKET_NUMBER = /^ZB-\d{4}-\d{6,}$/;
export const TICKET_NUMBER_HTML_PATTERN = "ZB-\\d{4}-\\d{6,}";
export const TICKET_NUMBER_MESSAGE = "工单编号格式为 ZB-年份-编号（至少六位数字），如 ZB-2026-000123";

/**
 * The canonical form of a ticket number someone typed or sent — the one key for lookups and per-ticket
 * counters: surrounding and inner whitespace dropped, letters upper-cased, full-width digits and dashes
 * (as Chinese input methods type them) made ASCII. Null when it cannot be a ticket number.
 */
export function normalizeTicketNumber(input: string): string | null {
  const s = input
    .normalize("NFKC")
    .replace(/[\s\u200b\ufeff]+/g, "")
    .replace(/[‐‑‒–—―−－]/g, "-")
    .toUpperCase();
  return s.length <= 40 && TICKET_NUMBER.test(s) ? s : null;
}
