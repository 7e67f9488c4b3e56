import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { rows } from "../../db/client";
import { issueOpen311Key, revokeOpen311Key } from "../../domain/open311/keys";
import { DEMO_OPEN311_KEY, seedOpen311Demo } from "../../seed/open311";
import { testDatabase } from "../support/db";
import {
  asXmlStrings,
  expectOpen311Errors,
  o311,
  parseXml,
  type SchemaName,
  schemaErrors,
  sparkJson,
} from "../support/open311";

const db = async () => (await testDatabase()).db;

async function count(table: string) {
  const [r] = await rows<{ n: number }>(await db(), sql.raw(`SELECT count(*)::int AS n FROM ${table}`));
  return r.n;
}

const base = {
  api_key: DEMO_OPEN311_KEY,
  service_code: "complaint-housing",
  description: "村里危房改造补助迟迟没有发放，已经等了半年。",
  "attribute[district]": "gaoqing",
};

/** JSON and XML of one resource: JSON valid against `schema`, XML well-formed and equal to the JSON. */
/** The fields of GeoReport answers that these tests read. */
interface Service {
  service_code: string;
}
interface Attribute {
  code: string;
  order: number;
}
interface ServiceRequest {
  service_request_id: string;
  description: string | null;
}

async function bothFormats(resource: string, root: string, schema?: SchemaName) {
  const json = await o311(`${resource}.json`);
  expect(json.status, json.text).toBe(200);
  expect(json.headers.get("content-type")).toBe("application/json; charset=utf-8");
  if (schema) expect(schemaErrors(schema, json.body)).toBe("");
  const xml = await o311(`${resource}.xml`);
  expect(xml.status, xml.text).toBe(200);
  expect(xml.headers.get("content-type")).toBe("text/xml; charset=utf-8");
  expect(xml.text.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
  const doc = parseXml(xml.text);
  expect(doc.root.name).toBe(root);
  expect(sparkJson(doc.root)).toEqual(asXmlStrings(json.body));
  return { json: json.body, xml: xml.text };
}

beforeEach(async () => {
  await seedOpen311Demo(await db());
});

describe("Open311 discovery and services", () => {
  it("serves the discovery document in both formats", async () => {
    const { json } = await bothFormats("/discovery", "discovery");
    expect(json.endpoints[0]).toMatchObject({
      specification: "http://wiki.open311.org/GeoReport_v2",
      type: "production",
      formats: ["text/xml", "application/json"],
    });
    expect(json.endpoints[0].url).toMatch(/\/open311\/v2$/);
  });

  it("lists kinds × categories as services, valid against services.json", async () => {
    const { json } = await bothFormats("/services", "services", "services.json");
    expect(json).toHaveLength(5 * 13);
    const housing = json.find((s: Service) => s.service_code === "report-housing");
    expect(housing).toMatchObject({ service_name: "举报·危房改造", metadata: true, type: "realtime", group: "举报" });
    expect(new Set(json.map((s: Service) => s.service_code)).size).toBe(65);
  });

  it("defines each service's attributes (district required, with the 11 districts)", async () => {
    const { json } = await bothFormats("/services/complaint-housing", "service_definition", "service-definition.json");
    expect(json.service_code).toBe("complaint-housing");
    const district = json.attributes.find((a: Attribute) => a.code === "district");
    expect(district).toMatchObject({ required: true, datatype: "singlevaluelist", order: 1 });
    expect(district.values).toHaveLength(11);
    expect(district.values).toContainEqual({ key: "gaoqing", name: "高青县" });
    expect(json.attributes.map((a: Attribute) => a.order)).toEqual(
      json.attributes.map((_: Attribute, i: number) => i + 1),
    );
    const objection = await o311("/services/objection-fund_management.json");
    expect(schemaErrors("service-definition.json", objection.body)).toBe("");
    expect(objection.body.attributes.find((a: Attribute) => a.code === "notice_id")).toMatchObject({ required: true });
  });

  it("404 in the GeoReport error format for an unknown service code, in both formats", async () => {
    for (const code of ["report-nothing", "nothing-housing", "housing"]) {
      const json = await o311(`/services/${code}.json`);
      expect(json.status).toBe(404);
      expect(expectOpen311Errors(json.body)[0].code).toBe(404);
    }
    const xml = await o311("/services/report-nothing.xml");
    expect(xml.status).toBe(404);
    const doc = parseXml(xml.text);
    expect(doc.root.name).toBe("errors");
    expect(doc.root.children[0].name).toBe("error");
    expect(doc.root.children[0].children.map((c) => c.name)).toEqual(["code", "description"]);
  });

  it("404 for an unknown format or resource, 405 with Allow for a wrong method, 404 for another jurisdiction", async () => {
    expect((await o311("/services.html")).status).toBe(404);
    expect((await o311("/services")).status).toBe(404);
    expect((await o311("/nothing.json")).status).toBe(404);
    const wrong = await o311("/services.json", { method: "POST", form: { api_key: DEMO_OPEN311_KEY } });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET");
    expectOpen311Errors(wrong.body);
    const del = await o311("/requests/ZB-2026-000001.json", { method: "DELETE" });
    expect(del.status).toBe(405);
    const other = await o311("/services.json?jurisdiction_id=sfgov.org");
    expect(other.status).toBe(404);
    expect(expectOpen311Errors(other.body)[0].description).toContain("jurisdiction_id");
    expect((await o311("/services.json?jurisdiction_id=zibo.gov.cn")).status).toBe(200);
    expect((await o311("/services.json?jurisdiction_id=")).status).toBe(200);
  });

  it("tokens are never issued (realtime services), so any token is a 404", async () => {
    const res = await o311("/tokens/12345.json");
    expect(res.status).toBe(404);
    expectOpen311Errors(res.body);
    const xml = await o311("/tokens/12345.xml");
    expect(xml.status).toBe(404);
    expect(parseXml(xml.text).root.name).toBe("errors");
  });
});

describe("Open311 POST requests: api_key", () => {
  it("403 without a key, with an unknown key and with a revoked key — nothing written", async () => {
    const { api_key: _, ...noKey } = base;
    for (const form of [noKey, { ...base, api_key: "not-a-key" }]) {
      const res = await o311("/requests.json", { method: "POST", form });
      expect(res.status).toBe(403);
      expect(expectOpen311Errors(res.body)[0].code).toBe(403);
    }
    const { client, key } = await issueOpen311Key(await db(), { appName: "测试客户端" });
    expect((await o311("/requests.json", { method: "POST", form: { ...base, api_key: key } })).status).toBe(200);
    await revokeOpen311Key(await db(), client.id);
    const revoked = await o311("/requests.xml", { method: "POST", form: { ...base, api_key: key } });
    expect(revoked.status).toBe(403);
    expect(parseXml(revoked.text).root.name).toBe("errors");
    expect(await count("tickets")).toBe(1);
  });

  it("stores only a hash of an issued key", async () => {
    const { key, client } = await issueOpen311Key(await db(), { appName: "随手拍" });
    expect(key).toMatch(/^o311_[A-Za-z0-9_-]{43}$/);
    const [row] = await rows<{ key_hash: string; key_prefix: string }>(
      await db(),
      sql`SELECT key_hash, key_prefix FROM open311_clients WHERE id = ${client.id}`,
    );
    expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.key_hash).not.toContain(key);
    expect(key.startsWith(row.key_prefix)).toBe(true);
    expect(row.key_prefix.length).toBeLessThan(16);
    const [audit] = await rows<{ action: string; subject_id: string; details: string }>(
      await db(),
      sql`SELECT action, subject_id, details::text FROM audit_log WHERE action = 'open311.key.issue'`,
    );
    expect(audit.subject_id).toBe(String(client.id));
    expect(audit.details).not.toContain(key);
  });
});

describe("Open311 POST requests: filing", () => {
  it("files an anonymous ticket through the hotline (channel open311) and returns number + receipt once", async () => {
    const res = await o311("/requests.json", { method: "POST", form: base });
    expect(res.status, res.text).toBe(200);
    expect(schemaErrors("request-response.json", res.body)).toBe("");
    const [created] = res.body;
    expect(created.service_request_id).toMatch(/^ZB-\d{4}-\d{6,}$/);
    expect(created.token).toBeUndefined();
    expect(created.receipt).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$/);
    expect(created.service_notice).toContain(created.receipt);
    const [t] = await rows<{ channel: string; kind: string; category_code: string; reporter_anonymous: boolean }>(
      await db(),
      sql`SELECT channel, kind, category_code, reporter_anonymous FROM tickets WHERE number = ${created.service_request_id}`,
    );
    expect(t).toEqual({ channel: "open311", kind: "complaint", category_code: "housing", reporter_anonymous: true });
    expect(await count("ticket_reporters")).toBe(0);
    const [s] = await rows<{ app_name: string }>(
      await db(),
      sql`SELECT c.app_name FROM open311_submissions s JOIN open311_clients c ON c.id = s.client_id`,
    );
    expect(s.app_name).toContain("演示");
  });

  it("answers in XML too, well-formed", async () => {
    const res = await o311("/requests.xml", { method: "POST", form: base });
    expect(res.status).toBe(200);
    const doc = parseXml(res.text);
    expect(doc.root.name).toBe("service_requests");
    const req = sparkJson(doc.root) as ServiceRequest[];
    expect(req[0].service_request_id).toMatch(/^ZB-/);
  });

  it("drops name and phone for an anonymous ticket; files real-name when asked, identity encrypted", async () => {
    const anon = await o311("/requests.json", {
      method: "POST",
      form: { ...base, "attribute[anonymous]": "true", last_name: "李", first_name: "秀英", phone: "13905330001" },
    });
    expect(anon.status).toBe(200);
    expect(await count("ticket_reporters")).toBe(0);
    const named = await o311("/requests.json", {
      method: "POST",
      form: { ...base, last_name: "李", first_name: "秀英", phone: "139 0533 0002", email: "lxy@example.com" },
    });
    expect(named.status, named.text).toBe(200);
    const [r] = await rows<{ identity_enc: string }>(await db(), sql`SELECT identity_enc FROM ticket_reporters`);
    expect(r.identity_enc).not.toContain("秀英");
    const dump = JSON.stringify(await rows(await db(), sql`SELECT * FROM tickets`));
    for (const secret of ["秀英", "13905330002", "lxy@example.com"]) expect(dump).not.toContain(secret);
  });

  it("maps validation errors to GeoReport parameter names, 400, several at once when fileTicket gives several", async () => {
    const cases: [Record<string, string>, string][] = [
      [{ ...base, "attribute[district]": "" }, "attribute[district]"],
      [{ ...base, "attribute[district]": "nowhere" }, "attribute[district]"],
      [{ ...base, "attribute[village]": "不存在村" }, "attribute[village]"],
      [{ ...base, description: "" }, "description"],
      [{ ...base, description: "字".repeat(4001) }, "description"],
      [{ ...base, last_name: "李", phone: "12345" }, "phone"],
      [{ ...base, phone: "13905330003", "attribute[anonymous]": "false" }, "last_name"],
      [{ ...base, "attribute[anonymous]": "maybe" }, "attribute[anonymous]"],
      [{ ...base, lat: "36.8" }, "lat/long"],
      [{ ...base, service_code: "objection-housing" }, "attribute[notice_id]"],
      [{ ...base, service_code: "" }, "service_code"],
    ];
    for (const [form, field] of cases) {
      const res = await o311("/requests.json", { method: "POST", form });
      expect(res.status, `${field}: ${res.text}`).toBe(400);
      const errors = expectOpen311Errors(res.body);
      expect(errors[0].code).toBe(400);
      expect(errors.map((e) => e.description).join(" "), res.text).toContain(field);
    }
    const several = await o311("/requests.json", {
      method: "POST",
      form: { ...base, description: "字".repeat(4001), last_name: "李", phone: "12345" },
    });
    expect(several.status).toBe(400);
    const fields = expectOpen311Errors(several.body).map((e) => e.description.split("：")[0]);
    expect(fields).toEqual(expect.arrayContaining(["description", "phone"]));
    const unknown = await o311("/requests.json", { method: "POST", form: { ...base, service_code: "report-nothing" } });
    expect(unknown.status).toBe(404);
    const json = await o311("/requests.json", {
      method: "POST",
      body: JSON.stringify(base),
      headers: { "content-type": "application/json" },
    });
    expect(json.status).toBe(400);
    expect(expectOpen311Errors(json.body)[0].description).toContain("x-www-form-urlencoded");
    expect(await count("tickets")).toBe(0);
  });

  it("413 in the GeoReport format for an oversized body, nothing written", async () => {
    const res = await o311("/requests.xml", { method: "POST", form: { ...base, description: "字".repeat(400_000) } });
    expect(res.status).toBe(413);
    const doc = parseXml(res.text);
    expect(doc.root.name).toBe("errors");
    expect(await count("tickets")).toBe(0);
  });

  it("an Idempotency-Key retry returns the same ticket", async () => {
    const headers = { "idempotency-key": "c0ffee00-1111-2222-3333-444455556666" };
    const a = await o311("/requests.json", { method: "POST", form: base, headers });
    const b = await o311("/requests.json", { method: "POST", form: base, headers });
    expect(a.status).toBe(200);
    expect(b.body[0].service_request_id).toBe(a.body[0].service_request_id);
    expect(b.body[0].receipt).toBe(a.body[0].receipt);
    expect(await count("tickets")).toBe(1);
  });

  it("keeps address, coordinates and media link for the handler inside the (never public) description", async () => {
    const res = await o311("/requests.json", {
      method: "POST",
      form: {
        ...base,
        address_string: "高青县某村东头",
        lat: "37.17",
        long: "117.82",
        media_url: "https://example.org/p.jpg",
      },
    });
    expect(res.status, res.text).toBe(200);
    const [t] = await rows<{ description: string; title: string }>(
      await db(),
      sql`SELECT description, title FROM tickets`,
    );
    expect(t.description).toContain("地点：高青县某村东头");
    expect(t.description).toContain("37.17, 117.82");
    expect(t.description).toContain("https://example.org/p.jpg");
    expect(t.title).toBe("投诉·危房改造");
  });
});

describe("Open311 GET requests: the public view", () => {
  async function file(form: Record<string, string>) {
    const res = await o311("/requests.json", { method: "POST", form: { ...base, ...form } });
    expect(res.status, res.text).toBe(200);
    return res.body[0].service_request_id as string;
  }

  it("lists requests valid against requests.json, in both formats, without reporter data", async () => {
    const secret = { last_name: "王", first_name: "建国", phone: "13905339999" };
    const a = await file({
      ...secret,
      description: "我叫王建国，身份证号370321196001011234，低保被取消。",
      "attribute[title]": "低保问题",
    });
    const b = await file({
      service_code: "report-misconduct",
      "attribute[title]": "村支书张某挪用扶贫款",
      description: "张某挪用了村里的扶贫资金。",
      "attribute[town]": "花沟镇",
      "attribute[subject_person]": "张某",
      "attribute[subject_post]": "村党支部书记",
    });
    const c = await file({ description: "我的电话是13905338888，补助一直没发。" });
    const { json, xml } = await bothFormats("/requests", "service_requests", "requests.json");
    expect(json.map((r: ServiceRequest) => r.service_request_id).sort()).toEqual([a, b, c].sort());
    expect(json.find((r: ServiceRequest) => r.service_request_id === c).description).toBe("投诉·危房改造");
    for (const r of json) expect(schemaErrors("request.json", r)).toBe("");
    const complaint = json.find((r: ServiceRequest) => r.service_request_id === a);
    expect(complaint).toMatchObject({
      status: "open",
      service_code: "complaint-housing",
      service_name: "投诉·危房改造",
      // The reporter's own title is never public: the kind and category stand in for it.
      description: "投诉·危房改造",
      address: "高青县",
    });
    expect(complaint.status_notes).toBe("已收到，待受理");
    expect(complaint.expected_datetime).toMatch(/T23:59:59\+08:00$/);
    const report = json.find((r: ServiceRequest) => r.service_request_id === b);
    expect(report.description).toBeNull();
    expect(report.address).toBe("高青县");
    for (const text of [JSON.stringify(json), xml]) {
      for (const leak of [
        "建国",
        "13905339999",
        "370321196001011234",
        "张某",
        "村党支部书记",
        "挪用",
        "花沟镇",
        "13905338888",
      ]) {
        expect(text).not.toContain(leak);
      }
    }
  });

  it("shows one request by id (both formats) and 404s an unknown one", async () => {
    const id = await file({});
    const { json } = await bothFormats(`/requests/${id}`, "service_requests", "requests.json");
    expect(json).toHaveLength(1);
    expect(json[0].service_request_id).toBe(id);
    expect((await o311(`/requests/${id.toLowerCase()}.json`)).body[0].service_request_id).toBe(id);
    const missing = await o311("/requests/ZB-2026-999999.json");
    expect(missing.status).toBe(404);
    expectOpen311Errors(missing.body);
    const missingXml = await o311("/requests/ZB-2026-999999.xml");
    expect(missingXml.status).toBe(404);
    expect(parseXml(missingXml.text).root.name).toBe("errors");
  });

  it("filters by service_request_id (overriding the rest), service_code, status and dates", async () => {
    const a = await file({});
    const b = await file({ service_code: "inquiry-education", "attribute[district]": "淄川区" });
    await rows(await db(), sql`UPDATE tickets SET status = 'closed', closed_at = now() WHERE number = ${b}`);
    const ids = (res: { body: ServiceRequest[] }) => res.body.map((r) => r.service_request_id);
    expect(ids(await o311(`/requests.json?service_request_id=${b},${a}&status=open`)).sort()).toEqual([a, b].sort());
    expect(ids(await o311("/requests.json?service_code=inquiry-education"))).toEqual([b]);
    expect(ids(await o311("/requests.json?service_code=inquiry-education,complaint-housing")).sort()).toEqual(
      [a, b].sort(),
    );
    expect(ids(await o311("/requests.json?status=open"))).toEqual([a]);
    const closed = await o311("/requests.json?status=closed");
    expect(ids(closed)).toEqual([b]);
    expect(closed.body[0].status_notes).toBe("已办结");
    expect(schemaErrors("requests.json", closed.body)).toBe("");
    expect(ids(await o311("/requests.json?status=open,closed")).sort()).toEqual([a, b].sort());
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
    expect(
      ids(await o311(`/requests.json?start_date=${iso(now - 3600_000)}&end_date=${iso(now + 3600_000)}`)).length,
    ).toBe(2);
    expect(ids(await o311(`/requests.json?end_date=${iso(now - 86_400_000)}`))).toEqual([]);
    const cst = encodeURIComponent(new Date(now - 3600_000 + 8 * 3600_000).toISOString().slice(0, 19) + "+08:00");
    expect(ids(await o311(`/requests.json?start_date=${cst}`)).length).toBe(2);
    expect((await o311("/requests.json?service_code=&status=&start_date=")).status).toBe(200);
  });

  it("400 for bad filters: dates without time zone, a span over 90 days, unknown status or service code", async () => {
    for (const q of [
      "start_date=2026-11-01",
      "start_date=2026-11-01T00:00:00",
      "start_date=yesterday",
      "start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
      "start_date=2026-06-01T00:00:00Z&end_date=2026-01-01T00:00:00Z",
      "status=pending",
      "service_code=report-nothing",
    ]) {
      const res = await o311(`/requests.json?${q}`);
      expect(res.status, q).toBe(400);
      expect(expectOpen311Errors(res.body)[0].code).toBe(400);
      const xml = await o311(`/requests.xml?${q}`);
      expect(xml.status).toBe(400);
      expect(parseXml(xml.text).root.name).toBe("errors");
    }
  });

  it("escapes markup in text fields (well-formed XML whatever the public summary says)", async () => {
    const id = await file({ "attribute[title]": "标题" });
    // The public text is the staff-approved summary; whatever it holds, the XML stays well-formed.
    await (await db()).execute(
      sql`UPDATE tickets SET public_summary = ${"<b>补助</b> & “回扣” ]]>"} WHERE number = ${id}`,
    );
    const xml = await o311(`/requests/${id}.xml`);
    const [req] = sparkJson(parseXml(xml.text).root) as ServiceRequest[];
    expect(req.description).toBe("<b>补助</b> & “回扣” ]]>");
  });
});
