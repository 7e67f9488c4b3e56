import { sql } from "drizzle-orm";
import { rows } from "../../db/client";
import { hashPassword } from "../../domain/auth/passwords";
import { principalOf } from "../../domain/auth/session";
import { fileTicket } from "../../domain/hotline/filing";
import type { FileTicketInput } from "../../domain/hotline/input";
import { testDatabase } from "./db";
import { type ApiResponse, api, type Unchecked } from "./http";

// Staff accounts and tickets for console tests.

export const PASSWORD = "Test-password-2026";
let hashed: Promise<string> | undefined;

export interface Signed {
  id: number;
  username: string;
  cookie: string;
  csrf: string;
  principal: Awaited<ReturnType<typeof principalOf>>;
  /** Call the API as this person (cookie + CSRF header on writes). */
  call: <T = Unchecked>(path: string, init?: RequestInit & { json?: unknown }) => Promise<ApiResponse<T>>;
}

export async function staff(role: string, unitCode: string, username = `${role}-${unitCode}`): Promise<Signed> {
  const { db } = await testDatabase();
  // One argon2 hash for every test account (hashing costs ~50 ms; sign-in still verifies it).
  hashed ??= hashPassword(PASSWORD);
  const [{ id }] = await rows<{ id: number }>(
    db,
    sql`INSERT INTO users (username, display_name, role, unit_id, password_hash)
        VALUES (${username}, ${username}, ${role}, (SELECT id FROM units WHERE code = ${unitCode}), ${await hashed}) RETURNING id`,
  );
  const r = await api("/api/console/session", { method: "POST", json: { username, password: PASSWORD } });
  if (r.status !== 200) throw new Error(`sign-in failed: ${r.status} ${r.text}`);
  const cookie = (r.headers.get("set-cookie") ?? "").split(";")[0];
  const csrf = r.body.csrfToken as string;
  return {
    id,
    username,
    cookie,
    csrf,
    principal: await principalOf(db, id),
    call: <T = Unchecked>(path: string, init: RequestInit & { json?: unknown } = {}) => {
      const headers = new Headers(init.headers);
      headers.set("cookie", cookie);
      if (init.method && init.method !== "GET") headers.set("x-csrf-token", csrf);
      return api<T>(path, { ...init, headers });
    },
  };
}

export function ticketInput(over: Partial<FileTicketInput> = {}): FileTicketInput {
  return {
    kind: "complaint",
    category: "housing",
    title: "危房改造补助迟迟未发放",
    description: "我家去年申请的危房改造补助至今没有发放，村里说还在等。",
    district: "高青县",
    town: null,
    village: null,
    reporter: { anonymous: true },
    ...over,
  } as FileTicketInput;
}

export async function file(
  over: Partial<FileTicketInput> = {},
  ctx: { operatorId?: number; channel?: "web" | "phone" } = {},
) {
  const { db } = await testDatabase();
  const r = await fileTicket(db, ticketInput(over), { channel: ctx.channel ?? "web", operatorId: ctx.operatorId });
  return r;
}

/** An anonymous housing complaint from 常家镇, as the API receives it. */
export const housingComplaint = {
  kind: "complaint",
  category: "housing",
  title: "危房改造补助没有发放",
  description: "我家去年申请的危房改造补助至今没有发放。",
  district: "高青县",
  town: "常家镇",
  reporter: { anonymous: true },
};

/** File an anonymous housing complaint over the API, as a citizen does; the answer (201: number, receipt). */
export function fileAnonymousComplaint() {
  return api("/api/tickets", {
    method: "POST",
    json: {
      kind: "complaint",
      category: "housing",
      district: "高青县",
      title: "危房改造补助未发放",
      description: "去年申请的补助至今未发放。",
      reporter: { anonymous: true },
    },
  });
}

export async function unitId(code: string): Promise<number> {
  const { db } = await testDatabase();
  const [u] = await rows<{ id: number }>(db, sql`SELECT id FROM units WHERE code = ${code}`);
  if (!u) throw new Error(`no unit ${code}`);
  return u.id;
}

/** The columns of a ticket's row that tests read by name (the others are there too). */
export interface TicketRow extends Record<string, unknown> {
  id: number;
  routed_code: string;
  routing_reason: string;
  extended_days: number;
  handle_due_on: string | Date;
}

/** A ticket's row as the database holds it, with its routed unit's code. */
export async function ticketRow(number: string) {
  const { db } = await testDatabase();
  const [t] = await rows<TicketRow>(
    db,
    sql`SELECT t.*, u.code AS routed_code FROM tickets t JOIN units u ON u.id = t.routed_unit_id WHERE t.number = ${number}`,
  );
  return t;
}

/** Run a statement on the test database; `R` names the shape of the rows a test reads. */
export async function exec<R = Record<string, unknown>>(q: ReturnType<typeof sql>) {
  const { db } = await testDatabase();
  return rows<R>(db, q);
}
