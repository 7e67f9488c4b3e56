import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  unique,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { timestamps } from "./columns";
import { fundAllocations, projects } from "./funds";
import { ledgerEntries } from "./ledger";
import { notices } from "./notices";
import { householdPlaceColumns, placeColumns } from "./place-columns";
import { districts, towns, users, villages } from "./reference";

// Following the money to the household (migration 0130): disbursements, project spending, the household
// register (names and ID numbers sealed), payments to households, 危房改造 cases, beneficiary lists,
// public version history, and the stuck-money ledger links.

const money = (name: string) => numeric(name, { precision: 14, scale: 2 });
const versioned = {
  status: text("status").$type<"active" | "withdrawn">().notNull().default("active"),
  version: integer("version").notNull().default(1),
  isDemo: boolean("is_demo").notNull().default(false),
  ...timestamps,
};

/** 拨付 */
export const disbursements = pgTable(
  "disbursements",
  {
    id: serial("id").primaryKey(),
    allocationId: integer("allocation_id")
      .notNull()
      .references(() => fundAllocations.id),
    ...placeColumns(),
    year: integer("year").notNull(),
    disbursedOn: date("disbursed_on").notNull(),
    amount: money("amount").notNull(),
    voucherNo: text("voucher_no").notNull(),
    method: text("method").notNull().default("国库集中支付"),
    recipientKind: text("recipient_kind").notNull(),
    recipient: text("recipient").notNull(),
    projectId: integer("project_id").references(() => projects.id),
    ...versioned,
  },
  (t) => [
    // The migration also INCLUDEs (amount); drizzle cannot declare included columns.
    index("disbursements_allocation_idx").on(t.allocationId).where(sql`status = 'active'::text`),
    // The migration also INCLUDEs (amount); drizzle cannot declare included columns.
    index("disbursements_place_idx").on(t.districtId, t.year).where(sql`status = 'active'::text`),
    index("disbursements_updated_idx").on(t.updatedAt, t.id),
    // The migration also INCLUDEs (allocation_id, amount); drizzle cannot declare included columns.
    index("disbursements_village_year_idx").on(t.villageId, t.year).where(sql`status = 'active'::text`),
  ],
);

/** 支出 on a project */
export const projectSpending = pgTable(
  "project_spending",
  {
    id: serial("id").primaryKey(),
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id),
    disbursementId: integer("disbursement_id").references(() => disbursements.id),
    payee: text("payee").notNull(),
    contractNo: text("contract_no").notNull().default(""),
    amount: money("amount").notNull(),
    paidOn: date("paid_on").notNull(),
    purpose: text("purpose").notNull().default(""),
    stage: text("stage").notNull().default("implementing"),
    ...versioned,
  },
  (t) => [
    index("project_spending_project_idx").on(t.projectId).where(sql`status = 'active'::text`),
    index("project_spending_disbursement_idx").on(t.disbursementId).where(sql`status = 'active'::text`),
    index("project_spending_updated_idx").on(t.updatedAt, t.id),
  ],
);

/** 建档立卡户: identity sealed, ID number found by keyed hash only. */
export const households = pgTable(
  "households",
  {
    id: serial("id").primaryKey(),
    districtId: integer("district_id")
      .notNull()
      .references(() => districts.id),
    townId: integer("town_id")
      .notNull()
      .references(() => towns.id),
    villageId: integer("village_id")
      .notNull()
      .references(() => villages.id),
    keyId: text("key_id").notNull(),
    identityEnc: text("identity_enc").notNull(),
    idHash: text("id_hash").notNull().unique(),
    nameHash: text("name_hash").notNull(),
    nameMasked: text("name_masked").notNull(),
    idMasked: text("id_masked").notNull(),
    members: integer("members").notNull(),
    status: text("status").$type<"registered" | "exited">().notNull().default("registered"),
    identifiedOn: date("identified_on"),
    exitedOn: date("exited_on"),
    version: integer("version").notNull().default(1),
    isDemo: boolean("is_demo").notNull().default(false),
    ...timestamps,
  },
  (t) => [index("households_village_idx").on(t.villageId)],
);

export const householdPaymentBatches = pgTable("household_payment_batches", {
  id: serial("id").primaryKey(),
  fileName: text("file_name").notNull(),
  encoding: text("encoding").notNull(),
  rowCount: integer("row_count").notNull(),
  total: numeric("total", { precision: 16, scale: 2 }).notNull(),
  createdBy: integer("created_by").references(() => users.id),
  isDemo: boolean("is_demo").notNull().default(false),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/** 直接拨付到户 */
export const householdPayments = pgTable(
  "household_payments",
  {
    id: serial("id").primaryKey(),
    householdId: integer("household_id")
      .notNull()
      .references(() => households.id),
    disbursementId: integer("disbursement_id")
      .notNull()
      .references(() => disbursements.id),
    ...householdPlaceColumns(),
    programme: text("programme").notNull(),
    period: text("period").notNull(),
    year: integer("year").notNull(),
    amount: money("amount").notNull(),
    paidOn: date("paid_on"),
    state: text("state").notNull().default("paid"),
    returnReason: text("return_reason"),
    method: text("method").notNull().default("惠民惠农一卡通"),
    batchId: integer("batch_id").references(() => householdPaymentBatches.id),
    ...versioned,
  },
  (t) => [
    uniqueIndex("household_payments_once_idx")
      .on(t.householdId, t.programme, t.period)
      .where(sql`status = 'active'::text`),
    // The migration also INCLUDEs (amount); drizzle cannot declare included columns.
    index("household_payments_disbursement_idx").on(t.disbursementId).where(sql`status = 'active'::text`),
    // The migration also INCLUDEs (amount); drizzle cannot declare included columns.
    index("household_payments_district_idx").on(t.districtId, t.year).where(sql`status = 'active'::text`),
    index("household_payments_batch_idx").on(t.batchId),
    // The migration also INCLUDEs (household_id, amount); drizzle cannot declare included columns.
    index("household_payments_village_paid_idx")
      .on(t.villageId, t.year, t.programme)
      .where(sql`status = 'active'::text AND state = 'paid'::text`),
  ],
);

/** 危房改造 case */
export const housingCases = pgTable(
  "housing_cases",
  {
    id: serial("id").primaryKey(),
    householdId: integer("household_id")
      .notNull()
      .references(() => households.id),
    ...householdPlaceColumns(),
    year: integer("year").notNull(),
    grade: text("grade").notNull(),
    method: text("method").notNull(),
    subsidyStandard: text("subsidy_standard").notNull().default(""),
    amount: money("amount").notNull(),
    stage: text("stage").notNull().default("applied"),
    stageDates: jsonb("stage_dates").notNull().default({}),
    reviewNoticeId: integer("review_notice_id").references(() => notices.id),
    approvalNoticeId: integer("approval_notice_id").references(() => notices.id),
    ...versioned,
  },
  (t) => [unique("housing_cases_once").on(t.householdId, t.year), index("housing_cases_village_idx").on(t.villageId)],
);

/** 公示名单 carried by a notice */
export const beneficiaryLists = pgTable("beneficiary_lists", {
  id: serial("id").primaryKey(),
  noticeId: integer("notice_id")
    .notNull()
    .unique()
    .references(() => notices.id),
  kind: text("kind").notNull(),
  villageId: integer("village_id")
    .notNull()
    .references(() => villages.id),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const beneficiaryListEntries = pgTable(
  "beneficiary_list_entries",
  {
    listId: integer("list_id")
      .notNull()
      .references(() => beneficiaryLists.id, { onDelete: "cascade" }),
    householdId: integer("household_id")
      .notNull()
      .references(() => households.id),
    amount: money("amount"),
    note: text("note").notNull().default(""),
  },
  (t) => [primaryKey({ columns: [t.listId, t.householdId] })],
);

/** Public version history of the records above (snapshots of public fields only). */
export const moneyVersions = pgTable(
  "money_versions",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    subjectType: text("subject_type").notNull(),
    subjectId: integer("subject_id").notNull(),
    version: integer("version").notNull(),
    kind: text("kind").notNull(),
    snapshot: jsonb("snapshot").notNull(),
    reason: text("reason"),
    createdBy: integer("created_by").references(() => users.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("money_versions_key").on(t.subjectType, t.subjectId, t.version),
    index("money_versions_created_idx").on(t.createdAt.desc(), t.id.desc()),
  ],
);

export const stuckMoneyEntries = pgTable("stuck_money_entries", {
  allocationId: integer("allocation_id")
    .primaryKey()
    .references(() => fundAllocations.id),
  ledgerEntryId: integer("ledger_entry_id")
    .notNull()
    .references(() => ledgerEntries.id),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const paymentReports = pgTable(
  "payment_reports",
  {
    ticketId: integer("ticket_id").primaryKey(),
    paymentId: integer("payment_id")
      .notNull()
      .references(() => householdPayments.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("payment_reports_payment_idx").on(t.paymentId)],
);

export const paymentCheckCounts = pgTable(
  "payment_check_counts",
  {
    day: date("day").notNull(),
    outcome: text("outcome").notNull(),
    n: bigint("n", { mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.outcome] })],
);
