import type { AppError } from "../../lib/errors";
import { showRefusal } from "./form-errors";

// A console page listing records with a form on each (correct, withdraw, exit…) and a form that adds
// one. Every form posts to the page with an `action` ("create" for the new record); a record's form
// names its record in a hidden field. A refusal is shown on the form it came from only, and after a
// successful POST the page redirects to itself with ?done=KEY and the record's id (doneMessage).
//
//   const v = formFields(form, [..., "paymentId"], { max: 500, trim: true });
//   const forms = new RowForms(form, v, "paymentId", Astro.response);
//   if (form) {
//     try {
//       if (forms.action === "create") { …; return Astro.redirect(…) }
//       else if (forms.rowId && forms.action === "withdraw") { …; return Astro.redirect(…) }
//       else forms.incomplete();
//     } catch (err) {
//       forms.refuse(err);
//     }
//   }
//   const { err, val } = forms;   // err("amount", "create"), val("amount", String(p.id), p.amount)

export class RowForms {
  /** The submitted form's `action` ("" without a form). */
  readonly action: string;
  /** The record whose form was submitted (the form's id field), when a whole number. */
  readonly rowId: number | null;
  /** Which form the errors belong to: "create" or the record's id; null without a form. */
  readonly scope: string | null;
  /** Field → message, for the form named by `scope`. */
  readonly errors: Record<string, string> = {};
  /** The message for the whole form. */
  general: string | null = null;

  /**
   * `v`: the form's fields as kept for showing it again (formFields), including `idField`.
   * `response`: the page's response, whose status a refusal sets.
   */
  constructor(
    form: FormData | undefined,
    private readonly v: Record<string, string>,
    idField: string,
    private readonly response: { status?: number },
  ) {
    this.action = form ? String(form.get("action") ?? "") : "";
    const id = v[idField] ?? "";
    this.rowId = /^\d{1,9}$/.test(id) ? Number(id) : null;
    this.scope = form ? (this.action === "create" ? "create" : String(this.rowId)) : null;
  }

  /** The form was none of the page's (an unknown action or record): 400 and a message to reload. */
  incomplete(): void {
    this.response.status = 400;
    this.general = "表单内容不完整，请重新打开本页后再提交。";
  }

  /**
   * The domain refused the submission (an AppError; anything else is rethrown): its field errors, its
   * status, and its own sentence (e.g. how much may still be paid) heading the summary.
   */
  refuse(err: unknown): void {
    this.general = showRefusal(err, this.errors, this.response) ?? (err as AppError).message;
  }

  /** A field's error, on the form `scope` only. */
  readonly err = (field: string, scope: string): string | undefined =>
    this.scope === scope ? this.errors[field] : undefined;

  /** A field's value: as submitted on the refused form `scope`, else `fallback`. */
  readonly val = (field: string, scope: string, fallback = ""): string =>
    this.scope === scope ? this.v[field] : fallback;
}

/**
 * The confirmation after a form's redirect (?done=KEY&<idParam>=ID): `messages(id)[KEY]`, or null for
 * none or an unknown key. The id is cut to digits.
 */
export function doneMessage(
  url: URL,
  idParam: string,
  messages: (id: string) => Record<string, string>,
): string | null {
  const key = url.searchParams.get("done");
  const id = url.searchParams.get(idParam)?.replace(/\D/g, "").slice(0, 9) ?? "";
  const all = messages(id);
  return key && Object.hasOwn(all, key) ? all[key] : null;
}
