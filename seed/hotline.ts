import { sql } from "drizzle-orm";
import { type Db, rows } from "../db/client";
import { loadCalendar } from "../domain/hotline/calendar";
import { handleDeadline, returnDeadline, reviewDeadline } from "../domain/hotline/deadlines";
import { fileTicket } from "../domain/hotline/filing";
import type { FileTicketInput } from "../domain/hotline/input";

// Demo hotline tickets (DEMO ONLY, is_demo = true): anonymous and real-name reports across districts and
// categories, in every stage of the lifecycle, for the staff console and the public statistics. Names are
// marked 演示 and phones are the reserved-looking 138000000xx. Idempotent: does nothing once demo tickets exist.

type Stage =
  | "received"
  | "accepted"
  | "not_accepted"
  | "dispatched"
  | "returned"
  | "handling"
  | "replied"
  | "rated"
  | "closed"
  | "reopened";

interface DemoTicket {
  input: FileTicketInput;
  stage: Stage;
  daysAgo: number;
  channel?: "web" | "api" | "phone";
  rating?: "satisfied" | "basically_satisfied" | "dissatisfied";
  reply?: string;
  question?: boolean;
}

const anon = { anonymous: true } as const;
const named = (i: number) => ({
  anonymous: false as const,
  name: `演示用户${String(i).padStart(2, "0")}`,
  phone: `138000000${String(i).padStart(2, "0")}`,
});

const T = (
  kind: FileTicketInput["kind"],
  category: string,
  district: string,
  title: string,
  description: string,
  reporter: FileTicketInput["reporter"],
  extra: Partial<FileTicketInput> = {},
): FileTicketInput => ({ kind, category, district, title, description, reporter, ...extra });

const DEMO: DemoTicket[] = [
  {
    stage: "received",
    daysAgo: 1,
    input: T(
      "complaint",
      "housing",
      "高青县",
      "危房改造补助迟迟未到位",
      "常家镇一户危房改造户去年验收合格，补助至今未拨付。",
      anon,
      { town: "常家镇" },
    ),
  },
  {
    stage: "received",
    daysAgo: 0,
    channel: "phone",
    input: T(
      "inquiry",
      "microfinance",
      "沂源县",
      "扶贫小额信贷能否续贷",
      "来电咨询扶贫小额信贷到期后能否续贷、利息如何贴息。",
      named(1),
      { town: "鲁村镇" },
    ),
  },
  {
    stage: "received",
    daysAgo: 2,
    input: T(
      "report",
      "misconduct",
      "博山区",
      "村干部优亲厚友",
      "村干部把低保名额给了自己亲戚，真正困难的户没评上。",
      anon,
      { subject: { post: "村支书" } },
    ),
  },
  {
    stage: "accepted",
    daysAgo: 5,
    input: T(
      "complaint",
      "employment",
      "淄川区",
      "公益岗位工资拖欠",
      "太河镇扶贫公益岗位两个月工资没有发放，涉及 12 人。",
      named(2),
      { town: "太河镇" },
    ),
  },
  {
    stage: "accepted",
    daysAgo: 6,
    input: T(
      "opinion",
      "infrastructure",
      "沂源县",
      "建议硬化进村道路",
      "燕崖镇部分自然村道路仍是土路，雨天出行困难，建议纳入扶贫项目。",
      anon,
      { town: "燕崖镇" },
    ),
  },
  {
    stage: "not_accepted",
    daysAgo: 20,
    input: T("complaint", "other", "张店区", "小区物业纠纷", "反映小区物业收费问题。", anon),
  },
  {
    stage: "dispatched",
    daysAgo: 9,
    input: T(
      "complaint",
      "health",
      "高青县",
      "大病救助报销比例不对",
      "家里贫困户住院报销比例低于政策规定。",
      named(3),
      { town: "木李镇" },
    ),
  },
  {
    stage: "dispatched",
    daysAgo: 8,
    channel: "phone",
    input: T(
      "report",
      "fund_management",
      "高青县",
      "扶贫项目资金被挪用",
      "黑里寨镇扶贫大棚项目资金 30 万元被挪作他用。",
      anon,
      { town: "黑里寨镇", subject: { unit: "高青县扶贫办" } },
    ),
  },
  {
    stage: "returned",
    daysAgo: 7,
    input: T("complaint", "education", "临淄区", "贫困学生资助没有发放", "孩子上学的资助金本学期没有收到。", anon),
  },
  {
    stage: "handling",
    daysAgo: 15,
    question: true,
    input: T("complaint", "social_security", "沂源县", "低保被取消", "家中老人低保被取消，没有任何通知。", named(4), {
      town: "张家坡镇",
    }),
  },
  {
    stage: "handling",
    daysAgo: 18,
    input: T("complaint", "industry", "博山区", "产业项目带贫人数不实", "公示的合作社带贫人数与实际不符。", anon),
  },
  {
    stage: "handling",
    daysAgo: 25,
    input: T("report", "misconduct", "沂源县", "镇干部吃拿卡要", "办理扶贫贷款时镇上干部要求请吃饭。", named(5), {
      subject: { unit: "沂源县中庄镇人民政府", post: "副镇长" },
    }),
  },
  {
    stage: "replied",
    daysAgo: 30,
    reply: "经核查，补助已于本月拨付到户，拖延原因是资金拨付流程调整，已责成整改。",
    input: T("complaint", "housing", "淄川区", "危房改造款被拖延", "去年的危房改造补助今年才到一半。", anon),
  },
  {
    stage: "replied",
    daysAgo: 35,
    reply: "已为您家补录建档立卡信息，下月起享受相关政策。",
    input: T(
      "complaint",
      "identification",
      "高青县",
      "应纳入而未纳入建档立卡",
      "家庭收入很低但没有被识别为贫困户。",
      named(6),
      { town: "青城镇" },
    ),
  },
  {
    stage: "rated",
    daysAgo: 45,
    rating: "satisfied",
    reply: "村里已重新公示评议结果。",
    input: T("opinion", "identification", "博山区", "贫困户评议应公开", "建议贫困户评议过程在村务公开栏公示。", anon),
  },
  {
    stage: "closed",
    daysAgo: 60,
    rating: "satisfied",
    reply: "公益岗位工资已全部补发。",
    input: T("complaint", "employment", "沂源县", "公益岗工资发放不及时", "公益岗位工资经常拖后一个月发放。", anon),
  },
  {
    stage: "closed",
    daysAgo: 75,
    rating: "basically_satisfied",
    reply: "道路维修已列入今年计划。",
    input: T("opinion", "infrastructure", "淄川区", "扶贫路损坏", "前年修的扶贫路已经坏了好几处。", named(7)),
  },
  {
    stage: "closed",
    daysAgo: 90,
    rating: "dissatisfied",
    reply: "经核实，补贴按标准发放，无误。",
    input: T("complaint", "disability", "周村区", "残疾人补贴标准不对", "重度残疾人护理补贴比邻村少。", anon),
  },
  {
    stage: "closed",
    daysAgo: 120,
    rating: "satisfied",
    reply: "学生资助已补发。",
    input: T(
      "complaint",
      "education",
      "高青县",
      "雨露计划补助未发",
      "孩子读职业学校的雨露计划补助没有收到。",
      named(8),
      { town: "花沟镇" },
    ),
  },
  {
    stage: "closed",
    daysAgo: 150,
    rating: "satisfied",
    reply: "已协调银行办理贴息。",
    input: T("inquiry", "microfinance", "桓台县", "贴息什么时候到账", "扶贫小额贷款贴息什么时候到账。", anon),
  },
  {
    stage: "closed",
    daysAgo: 180,
    rating: "basically_satisfied",
    reply: "养老补贴已按新标准发放。",
    input: T(
      "complaint",
      "social_security",
      "博山区",
      "养老补贴没有调整",
      "今年养老补贴标准提高了，但我们村还按老标准发。",
      anon,
    ),
  },
  {
    stage: "reopened",
    daysAgo: 50,
    rating: "dissatisfied",
    reply: "已联系施工方整改。",
    input: T("complaint", "housing", "沂源县", "改造房屋漏雨", "危房改造后的房子下雨漏水，施工质量差。", named(9), {
      town: "东里镇",
    }),
  },
  {
    stage: "closed",
    daysAgo: 200,
    rating: "satisfied",
    reply: "项目收益已按方案分配到户。",
    input: T("complaint", "industry", "高青县", "光伏收益没分到户", "村里光伏扶贫电站收益没有分给贫困户。", anon, {
      town: "唐坊镇",
    }),
  },
  {
    stage: "dispatched",
    daysAgo: 3,
    input: T(
      "report",
      "fund_management",
      "淄川区",
      "虚报冒领扶贫资金",
      "有人虚报贫困户名单冒领扶贫资金 150 万元，涉及 200 多户。",
      anon,
    ),
  },
  {
    stage: "handling",
    daysAgo: 40,
    input: T("complaint", "health", "经济开发区", "家庭医生签约不履约", "签约家庭医生一年没来过。", anon),
  },
  {
    stage: "accepted",
    daysAgo: 4,
    input: T(
      "opinion",
      "other",
      "文昌湖省级旅游度假区",
      "建议发展乡村旅游带贫",
      "建议利用文昌湖旅游资源带动周边贫困户就业。",
      anon,
    ),
  },
  {
    stage: "closed",
    daysAgo: 240,
    rating: "satisfied",
    reply: "已为其申请临时救助。",
    input: T(
      "complaint",
      "social_security",
      "高新区",
      "临时救助申请无人受理",
      "申请临时救助一个月无人答复。",
      named(10),
    ),
  },
  {
    stage: "replied",
    daysAgo: 28,
    reply: "合作社分红方案已重新公示。",
    input: T("complaint", "industry", "临淄区", "合作社分红不透明", "扶贫合作社分红没有公开。", anon),
  },
];

export async function seedHotlineDemo(db: Db) {
  const [{ n }] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM tickets WHERE is_demo`);
  if (n > 0) return;
  const cal = await loadCalendar(db);
  const now = Date.now();
  for (const [i, d] of DEMO.entries()) {
    const receivedAt = new Date(now - d.daysAgo * 86_400_000 - (i % 7) * 3_600_000);
    const { ticket } = await fileTicket(db, d.input, {
      channel: d.channel ?? (i % 3 === 0 ? "api" : "web"),
      receivedAt,
      isDemo: true,
      idempotencyKey: `demo-hotline-ticket-${String(i).padStart(4, "0")}`,
    });
    await advance(db, ticket.id, d, receivedAt, cal);
  }
}

async function advance(
  db: Db,
  id: number,
  d: DemoTicket,
  receivedAt: Date,
  cal: Awaited<ReturnType<typeof loadCalendar>>,
) {
  const order: Stage[] = ["received", "accepted", "dispatched", "handling", "replied", "rated", "closed"];
  const day = 86_400_000;
  const span = Math.max(1, d.daysAgo);
  const at = (fraction: number) => new Date(receivedAt.getTime() + Math.min(span * fraction, span - 0.01) * day);
  const ev = async (action: string, from: string, to: string, when: Date, note: string | null, visibility = "public") =>
    rows(
      db,
      sql`INSERT INTO ticket_events (ticket_id, action, from_status, to_status, visibility, actor_kind, note, created_at)
          VALUES (${id}, ${action}, ${from}, ${to}, ${visibility}, 'staff', ${note}, ${when.toISOString()}::timestamptz)`,
    );
  if (d.stage === "received") return;
  if (d.stage === "not_accepted") {
    const when = at(0.1);
    await ev("reject", "received", "not_accepted", when, "不属于扶贫领域监督举报受理范围，请向住房城乡建设部门反映。");
    await rows(
      db,
      sql`UPDATE tickets SET status = 'not_accepted', closed_at = ${when.toISOString()}::timestamptz WHERE id = ${id}`,
    );
    return;
  }
  const acceptedAt = at(0.08);
  await ev("accept", "received", "accepted", acceptedAt, null);
  await rows(
    db,
    sql`UPDATE tickets SET status = 'accepted', accepted_at = ${acceptedAt.toISOString()}::timestamptz,
        handle_due_on = ${handleDeadline(acceptedAt, cal)}::date WHERE id = ${id}`,
  );
  if (d.stage === "accepted") return;
  const dispatchedAt = at(0.15);
  await ev("dispatch", "accepted", "dispatched", dispatchedAt, null);
  await rows(
    db,
    sql`UPDATE tickets SET status = 'dispatched', dispatched_at = ${dispatchedAt.toISOString()}::timestamptz,
        return_due_on = ${returnDeadline(dispatchedAt, cal)}::date WHERE id = ${id}`,
  );
  if (d.stage === "dispatched") return;
  if (d.stage === "returned") {
    await ev("return", "dispatched", "returned", at(0.3), "非本单位职责，应由教育部门办理", "internal");
    await rows(db, sql`UPDATE tickets SET status = 'returned' WHERE id = ${id}`);
    return;
  }
  await ev("start", "dispatched", "handling", at(0.2), null);
  await rows(db, sql`UPDATE tickets SET status = 'handling' WHERE id = ${id}`);
  if (d.question) {
    await rows(
      db,
      sql`INSERT INTO ticket_messages (ticket_id, author, body, created_at) VALUES
          (${id}, 'handler', '请问低保取消是哪个月开始的？是否收到过书面通知？', ${at(0.3).toISOString()}::timestamptz),
          (${id}, 'reporter', '从今年三月开始，没有收到任何书面通知。', ${at(0.4).toISOString()}::timestamptz)`,
    );
  }
  if (order.indexOf(d.stage) < order.indexOf("replied") && d.stage !== "reopened") return;
  const repliedAt = at(0.5);
  await ev("reply", "handling", "replied", repliedAt, d.reply ?? "已办理。");
  await rows(
    db,
    sql`UPDATE tickets SET status = 'replied', replied_at = ${repliedAt.toISOString()}::timestamptz, reply_summary = ${d.reply ?? "已办理。"},
        review_due_on = ${reviewDeadline(repliedAt, cal)}::date WHERE id = ${id}`,
  );
  if (d.stage === "replied") return;
  if (d.rating) {
    const ratedAt = at(0.6);
    await rows(
      db,
      sql`INSERT INTO ticket_ratings (ticket_id, rating, created_at) VALUES (${id}, ${d.rating}, ${ratedAt.toISOString()}::timestamptz)`,
    );
    await ev(
      "rate",
      "replied",
      "rated",
      ratedAt,
      `评价：${{ satisfied: "满意", basically_satisfied: "基本满意", dissatisfied: "不满意" }[d.rating]}`,
    );
    await rows(
      db,
      sql`UPDATE tickets SET status = 'rated', rating = ${d.rating}, rated_at = ${ratedAt.toISOString()}::timestamptz WHERE id = ${id}`,
    );
  }
  if (d.stage === "reopened") {
    await ev("request_reopen", "rated", "reopened", at(0.7), "申请重办：漏雨问题仍未解决", "public");
    await rows(db, sql`UPDATE tickets SET status = 'reopened' WHERE id = ${id}`);
    return;
  }
  if (d.stage === "closed") {
    const closedAt = at(0.8);
    await ev("close", "rated", "closed", closedAt, null);
    await rows(
      db,
      sql`UPDATE tickets SET status = 'closed', closed_at = ${closedAt.toISOString()}::timestamptz WHERE id = ${id}`,
    );
  }
}
