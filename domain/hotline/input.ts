import { z } from "@hono/zod-openapi";

// The JSON contract of POST /api/tickets (keep it stable: clients are written against it). Also the
// input of fileTicket() for every channel (web form, API, Open311, operator intake).

export const TICKET_KINDS = ["report", "complaint", "opinion", "inquiry", "objection"] as const;
export type TicketKind = (typeof TICKET_KINDS)[number];
export const KIND_LABELS: Record<TicketKind, string> = {
  report: "举报",
  complaint: "投诉",
  opinion: "意见建议",
  inquiry: "咨询",
  objection: "公示异议",
};
export const CHANNELS = ["web", "api", "open311", "phone", "letter", "visit", "media"] as const;
export type Channel = (typeof CHANNELS)[number];
export const CHANNEL_LABELS: Record<Channel, string> = {
  web: "网站",
  api: "接口",
  open311: "Open311",
  phone: "12317 电话",
  letter: "来信",
  visit: "来访",
  media: "网络舆情",
};

export const MAX_DESCRIPTION = 4000;
/** Mainland mobile numbers: 11 digits starting 13–19 (spaces, dashes and +86 allowed when typed). */
export const MOBILE = /^1[3-9]\d{9}$/;
export function normalizePhone(s: string) {
  return s.replace(/[\s-]/g, "").replace(/^(\+?86)(?=1\d{10}$)/, "");
}

/** Text a person typed: control characters (other than tab and line breaks) are refused, not stored. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const typed = (label: string, error?: string) =>
  z.string({ error }).refine((s) => !CONTROL.test(s), `${label}含有不可见的控制字符，请删除后再提交`);

const optionalText = (max: number, label: string) =>
  typed(label)
    .trim()
    .max(max, `${label}不能超过 ${max} 字`)
    .nullish()
    .transform((v) => (v ? v : null));

const Anonymous = z.object({ anonymous: z.literal(true) });
const RealName = z.object({
  anonymous: z.literal(false),
  name: typed("姓名", "实名反映请填写姓名").trim().min(1, "实名反映请填写姓名").max(50, "姓名不能超过 50 字"),
  phone: z
    .string({ error: "实名反映请填写手机号码" })
    .transform(normalizePhone)
    .pipe(z.string().regex(MOBILE, "请填写有效的 11 位大陆手机号码")),
  /** How the handling unit may contact the reporter; "none" = do not contact. */
  contact: z.enum(["phone", "sms", "none"]).default("phone"),
});

export const FileTicketInput = z
  .object({
    kind: z.enum(TICKET_KINDS, { error: "请选择反映类型（report、complaint、opinion、inquiry、objection）" }),
    category: z.string({ error: "请选择事项类别" }).trim().min(1, "请选择事项类别").max(50),
    title: typed("标题", "请填写标题").trim().min(1, "请填写标题").max(100, "标题不能超过 100 字"),
    description: typed("反映内容", "请填写反映内容")
      .trim()
      .min(1, "请填写反映内容")
      .max(MAX_DESCRIPTION, `反映内容不能超过 ${MAX_DESCRIPTION} 字`),
    district: z.string({ error: "请选择区县" }).trim().min(1, "请选择区县").max(50),
    town: optionalText(50, "镇（街道）"),
    village: optionalText(50, "村"),
    noticeId: z
      .union([
        // An int4 id: a larger number cannot name a notice (and would overflow the column).
        z.number().int().positive().max(2_147_483_647, "没有这条公示"),
        z
          .string()
          .trim()
          .regex(/^\d{1,9}$/, "公示编号应为数字"),
      ])
      .nullish()
      .transform((v) => (v === null || v === undefined || v === "" ? null : Number(v))),
    subject: z
      .object({
        unit: optionalText(100, "被反映单位"),
        person: optionalText(50, "被反映人"),
        post: optionalText(50, "职务"),
      })
      .nullish()
      .transform((v) => v ?? null),
    reporter: z.discriminatedUnion("anonymous", [Anonymous, RealName], {
      error: "请说明是否匿名（reporter.anonymous 为 true 或 false）",
    }),
  })
  .superRefine((v, ctx) => {
    if (v.kind === "objection" && v.noticeId === null) {
      ctx.addIssue({ code: "custom", path: ["noticeId"], message: "公示异议须指明所针对的公示（noticeId）" });
    }
  })
  .openapi("NewTicket");

export type FileTicketInput = z.input<typeof FileTicketInput>;
export type ParsedTicketInput = z.output<typeof FileTicketInput>;
