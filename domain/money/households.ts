import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { hmacHex, open, seal } from "../../lib/crypto";
import { conflict, notFound, validationFailed } from "../../lib/errors";
import { checkDay, checkReason } from "./disbursements";
import { isValidIdNumber, maskIdNumber, maskName, normalizeIdNumber } from "./privacy";
import { recordMoneyVersion } from "./versions";

// The household register (建档立卡户). The 户主's name and ID number are personal data: sealed with
// AES-256-GCM (lib/crypto, the key of reporter identities, its own AAD), never logged, never in search,
// never exported. The ID number is found only through its keyed hash (HMAC with the server key), so
// the database alone cannot be searched for a number; the name is checked the same way.

export const HOUSEHOLD_AAD = "household-identity";

export interface HouseholdIdentity {
  name: string;
  idNumber: string;
}

export interface HouseholdInput {
  villageId: number;
  name: string;
  idNumber: string;
  members: number;
  status?: "registered" | "exited";
  identifiedOn?: string | null;
  exitedOn?: string | null;
}

/** Keyed hash of a typed ID number (the only way the register is searched by number). */
export function idNumberHash(idNumber: string): string {
  return hmacHex("household-id-number", normalizeIdNumber(idNumber));
}

/** Keyed hash of a typed 户主 name (spaces ignored). */
export function householdNameHash(name: string): string {
  return hmacHex("household-name", name.replace(/\s+/g, ""));
}

function field(path: string, message: string) {
  return validationFailed(message, [{ path, message }]);
}

function checkIdentity(name: string, idNumber: string): HouseholdIdentity {
  const n = name.replace(/\s+/g, "");
  if (!n) throw field("name", "请填写户主姓名");
  if (n.length > 30) throw field("name", "户主姓名不超过 30 个字");
  const id = normalizeIdNumber(idNumber);
  if (!isValidIdNumber(id)) throw field("idNumber", "身份证号码应为 18 位且校验位正确");
  return { name: n, idNumber: id };
}

function checkMembers(members: number) {
  if (!Number.isInteger(members) || members < 1 || members > 30) throw field("members", "家庭人口应为 1–30 的整数");
  return members;
}

async function placeOf(tx: Db, villageId: number) {
  const [v] = await rows<{ id: number; town_id: number; district_id: number }>(
    tx,
    sql`SELECT v.id, v.town_id, t.district_id FROM villages v JOIN towns t ON t.id = v.town_id WHERE v.id = ${villageId}`,
  );
  if (!v) throw field("villageId", "没有这个村");
  return v;
}

function publicSnapshot(h: {
  villageId: number;
  nameMasked: string;
  idMasked: string;
  members: number;
  status: string;
  identifiedOn: string | null;
  exitedOn: string | null;
}) {
  return { ...h };
}

/** Register a household (audited, without the name or number in the audit record). */
export async function createHousehold(
  db: Db,
  input: HouseholdInput,
  actorId: number | null,
  opts: { isDemo?: boolean } = {},
): Promise<number> {
  const ident = checkIdentity(input.name, input.idNumber);
  const members = checkMembers(input.members);
  const identifiedOn = input.identifiedOn ? checkDay(input.identifiedOn, "identifiedOn") : null;
  const exitedOn = input.exitedOn ? checkDay(input.exitedOn, "exitedOn") : null;
  const status = input.status ?? (exitedOn ? "exited" : "registered");
  return db.transaction(async (tx) => {
    const place = await placeOf(tx, input.villageId);
    const sealed = seal(JSON.stringify(ident), HOUSEHOLD_AAD);
    const nameMasked = maskName(ident.name);
    const idMasked = maskIdNumber(ident.idNumber);
    const inserted = await rows<{ id: number }>(
      tx,
      sql`INSERT INTO households (district_id, town_id, village_id, key_id, identity_enc, id_hash, name_hash, name_masked,
            id_masked, members, status, identified_on, exited_on, is_demo)
          VALUES (${place.district_id}, ${place.town_id}, ${place.id}, ${sealed.keyId}, ${sealed.data},
            ${idNumberHash(ident.idNumber)}, ${householdNameHash(ident.name)}, ${nameMasked}, ${idMasked}, ${members},
            ${status}, ${identifiedOn}, ${exitedOn}, ${opts.isDemo ?? false})
          ON CONFLICT (id_hash) DO NOTHING RETURNING id`,
    );
    if (inserted.length === 0)
      throw conflict("这个身份证号码已在户籍登记中", [{ path: "idNumber", message: "已登记" }]);
    const id = Number(inserted[0].id);
    await recordMoneyVersion(tx, "household", id, {
      version: 1,
      kind: "original",
      snapshot: publicSnapshot({ villageId: place.id, nameMasked, idMasked, members, status, identifiedOn, exitedOn }),
      actorId,
    });
    return id;
  });
}

/** A correction of a household (members, status, dates, or the name / ID number when mistyped). */
export async function correctHousehold(
  db: Db,
  id: number,
  patch: Partial<Omit<HouseholdInput, "villageId">>,
  reason: string,
  actorId: number | null,
): Promise<number> {
  const why = checkReason(reason);
  return db.transaction(async (tx) => {
    const [cur] = await rows<{
      village_id: number;
      key_id: string;
      identity_enc: string;
      members: number;
      status: "registered" | "exited";
      identified_on: string | null;
      exited_on: string | null;
      version: number;
    }>(
      tx,
      sql`SELECT village_id, key_id, identity_enc, members, status, identified_on::text AS identified_on,
            exited_on::text AS exited_on, version FROM households WHERE id = ${id} FOR UPDATE`,
    );
    if (!cur) throw notFound("没有这户登记");
    const old = JSON.parse(open({ keyId: cur.key_id, data: cur.identity_enc }, HOUSEHOLD_AAD)) as HouseholdIdentity;
    const ident = checkIdentity(patch.name ?? old.name, patch.idNumber ?? old.idNumber);
    const members = checkMembers(patch.members ?? cur.members);
    const identifiedOn =
      patch.identifiedOn !== undefined
        ? patch.identifiedOn
          ? checkDay(patch.identifiedOn, "identifiedOn")
          : null
        : cur.identified_on;
    const exitedOn =
      patch.exitedOn !== undefined ? (patch.exitedOn ? checkDay(patch.exitedOn, "exitedOn") : null) : cur.exited_on;
    const status = patch.status ?? (exitedOn ? "exited" : cur.status);
    const sealed = seal(JSON.stringify(ident), HOUSEHOLD_AAD);
    const nameMasked = maskName(ident.name);
    const idMasked = maskIdNumber(ident.idNumber);
    const version = Number(cur.version) + 1;
    const clash = await rows(
      tx,
      sql`SELECT 1 FROM households WHERE id_hash = ${idNumberHash(ident.idNumber)} AND id <> ${id}`,
    );
    if (clash.length) throw conflict("这个身份证号码已在户籍登记中", [{ path: "idNumber", message: "已登记" }]);
    await rows(
      tx,
      sql`UPDATE households SET key_id = ${sealed.keyId}, identity_enc = ${sealed.data}, id_hash = ${idNumberHash(ident.idNumber)},
            name_hash = ${householdNameHash(ident.name)}, name_masked = ${nameMasked}, id_masked = ${idMasked},
            members = ${members}, status = ${status}, identified_on = ${identifiedOn}, exited_on = ${exitedOn},
            version = ${version}, updated_at = now() WHERE id = ${id}`,
    );
    await recordMoneyVersion(tx, "household", id, {
      version,
      kind: "correction",
      snapshot: publicSnapshot({
        villageId: cur.village_id,
        nameMasked,
        idMasked,
        members,
        status,
        identifiedOn,
        exitedOn,
      }),
      reason: why,
      actorId,
    });
    return version;
  });
}

/** The household registered under this ID number (keyed-hash lookup), or null. */
export async function householdByIdNumber(db: Db, idNumber: string) {
  const [h] = await rows<{ id: number; village_id: number; name_hash: string }>(
    db,
    sql`SELECT id, village_id, name_hash FROM households WHERE id_hash = ${idNumberHash(idNumber)}`,
  );
  return h ? { id: Number(h.id), villageId: Number(h.village_id), nameHash: h.name_hash } : null;
}

/** Household ids for many ID numbers at once (imports): normalised number → id. */
export async function householdsByIdNumbers(db: Db, idNumbers: string[]) {
  const byHash = new Map(idNumbers.map((n) => [idNumberHash(n), normalizeIdNumber(n)]));
  const out = new Map<string, { id: number; villageId: number; districtId: number }>();
  const hashes = [...byHash.keys()];
  for (let i = 0; i < hashes.length; i += 5000) {
    const chunk = hashes.slice(i, i + 5000);
    const found = await rows<{ id: number; id_hash: string; village_id: number; district_id: number }>(
      db,
      sql`SELECT id, id_hash, village_id, district_id FROM households
          WHERE id_hash IN (SELECT unnest(${`{${chunk.join(",")}}`}::text[]))`,
    );
    for (const f of found) {
      out.set(byHash.get(f.id_hash)!, {
        id: Number(f.id),
        villageId: Number(f.village_id),
        districtId: Number(f.district_id),
      });
    }
  }
  return out;
}
