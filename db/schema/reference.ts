import { boolean, date, index, integer, pgTable, serial, text, unique } from "drizzle-orm/pg-core";
import { timestamps } from "./columns";

// Reference data: the places, units and categories every other domain points at.

/** 区县: the 11 district-level units of Zibo. */
export const districts = pgTable("districts", {
  id: serial("id").primaryKey(),
  code: text("code").notNull().unique(),
  name: text("name").notNull().unique(),
  /** district 区 | county 县 | zone 功能区 (高新区, 经济开发区, 文昌湖) */
  kind: text("kind").notNull(),
  /** One of the four key districts (淄川 博山 高青 沂源). */
  isKey: boolean("is_key").notNull().default(false),
  sort: integer("sort").notNull().default(0),
});

/** 镇办: towns and sub-district offices. */
export const towns = pgTable(
  "towns",
  {
    id: serial("id").primaryKey(),
    districtId: integer("district_id")
      .notNull()
      .references(() => districts.id),
    name: text("name").notNull(),
    /** 扶贫工作重点镇 */
    isKeyTown: boolean("is_key_town").notNull().default(false),
    isDemo: boolean("is_demo").notNull().default(false),
  },
  (t) => [unique("towns_district_name_key").on(t.districtId, t.name)],
);

/** 村 */
export const villages = pgTable(
  "villages",
  {
    id: serial("id").primaryKey(),
    townId: integer("town_id")
      .notNull()
      .references(() => towns.id),
    name: text("name").notNull(),
    /** 省扶贫工作重点村 */
    isProvincialKey: boolean("is_provincial_key").notNull().default(false),
    /** 薄弱村 */
    isWeak: boolean("is_weak").notNull().default(false),
    /** 深度贫困区域: 南部山区 | 太河库区 | 黄河滩区, or null */
    deepPovertyArea: text("deep_poverty_area"),
    isDemo: boolean("is_demo").notNull().default(false),
  },
  (t) => [unique("villages_town_name_key").on(t.townId, t.name)],
);

/** Departments and offices that handle or supervise work: city departments, district and town offices. */
export const units = pgTable(
  "units",
  {
    id: serial("id").primaryKey(),
    code: text("code").notNull().unique(),
    name: text("name").notNull().unique(),
    /** department (市直部门) | poverty_office (扶贫办) | discipline (纪委监委) | hotline (12317 中心) | town_office (镇办) */
    kind: text("kind").notNull(),
    /** city | district | town */
    level: text("level").notNull(),
    districtId: integer("district_id").references(() => districts.id),
    townId: integer("town_id").references(() => towns.id),
  },
  (t) => [index("units_district_idx").on(t.districtId)],
);

/** The measure categories; leadUnitCode is the routing table (category → lead department). */
export const categories = pgTable("categories", {
  code: text("code").primaryKey(),
  name: text("name").notNull().unique(),
  leadUnitCode: text("lead_unit_code")
    .notNull()
    .references(() => units.code),
  /** Co-lead units named beside the lead one in the founding document (informational). */
  coUnits: text("co_units").array().notNull().default([]),
  sort: integer("sort").notNull().default(0),
});

/** Staff accounts. Roles are scoped by the unit the account belongs to. */
export const users = pgTable("users", {
  id: serial("id").primaryKey(),
  username: text("username").notNull().unique(),
  displayName: text("display_name").notNull(),
  /** operator | handler | supervisor | inspector | publisher | admin */
  role: text("role").notNull(),
  unitId: integer("unit_id")
    .notNull()
    .references(() => units.id),
  passwordHash: text("password_hash"),
  active: boolean("active").notNull().default(true),
  isDemo: boolean("is_demo").notNull().default(false),
  /** Set by an admin's password reset (migration 0030_staff.sql). */
  mustChangePassword: boolean("must_change_password").notNull().default(false),
  ...timestamps,
});

/** Working-day calendar exceptions: public holidays (isOffDay) and adjusted workdays 调休 (!isOffDay). */
export const calendarDays = pgTable("calendar_days", {
  day: date("day").primaryKey(),
  isOffDay: boolean("is_off_day").notNull(),
  name: text("name").notNull(),
  /** Entered before the year's State Council notice (statutory holidays only); admins confirm it. */
  provisional: boolean("provisional").notNull().default(false),
});
