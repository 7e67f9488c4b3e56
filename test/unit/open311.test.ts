import { describe, expect, it } from "vitest";
import { splitFormat, toXml } from "../../api/open311/format";
import { parseRequestQuery } from "../../api/open311/query";
import { generateOpen311Key, hashOpen311Key } from "../../domain/open311/keys";
import { toOpen311Request } from "../../domain/open311/requests";
import { buildServiceDefinition, buildServices, parseServiceCode } from "../../domain/open311/services";
import { formToTicketInput } from "../../domain/open311/submit";
import { escapeXml } from "../../lib/xml";

describe("Open311 formats", () => {
  it("splits resource and format", () => {
    expect(splitFormat("services.json")).toEqual({ name: "services", format: "json" });
    expect(splitFormat("report-housing.XML")).toEqual({ name: "report-housing", format: "xml" });
    expect(splitFormat("services")).toBeUndefined();
    expect(splitFormat("services.html")).toBeUndefined();
    expect(splitFormat(".json")).toBeUndefined();
  });

  it("escapes markup and drops characters XML cannot carry", () => {
    expect(escapeXml(`<a href="x">&'\u0001\u0008ok`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&apos;ok");
  });

  it("writes lists as repeated item elements and nulls as empty elements", () => {
    const xml = toXml("service_requests", [{ service_request_id: "ZB-1", description: null, skipped: undefined }]);
    expect(xml).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<service_requests>\n  <request>\n    <service_request_id>ZB-1</service_request_id>\n    <description/>\n  </request>\n</service_requests>\n',
    );
    expect(toXml("errors", [])).toContain("<errors/>");
  });
});

describe("Open311 services", () => {
  const cats = [
    { code: "housing", name: "危房改造", leadDepartment: "市住房城乡建设局" },
    { code: "social_security", name: "兜底保障/低保/养老", leadDepartment: "市民政局" },
  ];
  it("is kinds × categories", () => {
    const services = buildServices(cats);
    expect(services).toHaveLength(10);
    expect(services.map((s) => s.service_code)).toContain("objection-social_security");
    expect(services.find((s) => s.service_code === "inquiry-social_security")?.keywords).toBe(
      "咨询,兜底保障,低保,养老,市民政局",
    );
  });
  it("parses service codes", () => {
    expect(parseServiceCode("report-social_security")).toEqual({ kind: "report", category: "social_security" });
    expect(parseServiceCode("theft-housing")).toBeUndefined();
    expect(parseServiceCode("report-")).toBeUndefined();
    expect(parseServiceCode("report")).toBeUndefined();
  });
  it("asks for the notice only on objections and for the subject only on reports and complaints", () => {
    const d = [{ code: "gaoqing", name: "高青县" }];
    const codes = (kind: Parameters<typeof buildServiceDefinition>[0]) =>
      buildServiceDefinition(kind, "housing", d).attributes.map((a) => a.code);
    expect(codes("objection")).toContain("notice_id");
    expect(codes("report")).toContain("subject_person");
    expect(codes("inquiry")).toEqual(["district", "town", "village", "title", "anonymous"]);
  });
});

describe("Open311 request query", () => {
  const known = new Set(["housing"]);
  const now = new Date("2026-11-28T12:00:00Z");
  it("defaults to the most recent 90 days", () => {
    const q = parseRequestQuery({}, known, now);
    expect(q.end).toEqual(now);
    expect(q.start).toEqual(new Date("2026-08-30T12:00:00Z"));
  });
  it("service_request_id overrides everything else (even invalid filters)", () => {
    expect(parseRequestQuery({ service_request_id: " ZB-1 ,ZB-2,", status: "bogus" }, known, now)).toEqual({
      ids: ["ZB-1", "ZB-2"],
    });
  });
  it("accepts offsets and Z, derives the missing end", () => {
    const q = parseRequestQuery({ start_date: "2026-11-01T00:00:00+08:00" }, known, now);
    expect(q.start).toEqual(new Date("2026-10-31T16:00:00Z"));
    expect(q.end!.getTime() - q.start!.getTime()).toBe(90 * 86_400_000);
  });
  it("collects every filter error", () => {
    try {
      parseRequestQuery({ status: "open,pending", service_code: "report-x", start_date: "2026-11-01" }, known, now);
      expect.unreachable();
    } catch (err) {
      expect((err as { descriptions: string[] }).descriptions).toHaveLength(3);
    }
  });
});

describe("Open311 form → ticket input", () => {
  const names = new Map([["gaoqing", "高青县"]]);
  const svc = { kind: "complaint", category: "housing", name: "投诉·危房改造" };
  it("maps attributes, district codes and the reporter (anonymous unless identified)", () => {
    const anon = formToTicketInput(
      new URLSearchParams({ description: "第一行\n第二行", "attribute[district]": "gaoqing", email: "a@b.c" }),
      svc,
      names,
    );
    expect(anon).toMatchObject({
      kind: "complaint",
      district: "高青县",
      title: "投诉·危房改造",
      reporter: { anonymous: true },
    });
    expect(JSON.stringify(anon)).not.toContain("a@b.c");
    const named = formToTicketInput(
      new URLSearchParams({
        description: "x",
        "attribute[district]": "高青县",
        last_name: "李",
        first_name: "四",
        phone: "13800138000",
      }),
      svc,
      names,
    );
    expect(named.reporter).toEqual({ anonymous: false, name: "李四", phone: "13800138000" });
    const forcedAnon = formToTicketInput(
      new URLSearchParams({ description: "x", last_name: "李", phone: "13800138000", "attribute[anonymous]": "true" }),
      svc,
      names,
    );
    expect(forcedAnon.reporter).toEqual({ anonymous: true });
    expect(JSON.stringify(forcedAnon)).not.toContain("13800138000");
  });
  it("takes the title from the attribute, else the service name (never the private description)", () => {
    const withTitle = formToTicketInput(
      new URLSearchParams({ description: "我叫李四，电话13800138000", "attribute[title]": "补助未发放" }),
      svc,
      names,
    );
    expect(withTitle.title).toBe("补助未发放");
    const without = formToTicketInput(new URLSearchParams({ description: "我叫李四，电话13800138000" }), svc, names);
    expect(without.title).toBe("投诉·危房改造");
  });
});

describe("Open311 public view of a ticket", () => {
  const row = {
    number: "ZB-2026-000001",
    kind: "report",
    categoryCode: "misconduct",
    categoryName: "腐败和作风问题",
    publicSummary: null,
    status: "handling",
    district: "高青县",
    town: "花沟镇",
    agency: "高青县纪委监委",
    receivedAt: new Date("2026-11-01T02:00:00Z"),
    updatedAt: new Date("2026-11-02T02:00:00Z"),
    closedAt: null,
    acceptDueOn: "2026-11-16",
    handleDueOn: "2027-01-15",
    acceptedAt: new Date("2026-11-02T02:00:00Z"),
    extendedDays: 0,
  };
  it("hides a report's title and town; shows other kinds' public title and town", () => {
    expect(toOpen311Request(row)).toMatchObject({
      description: null,
      address: "高青县",
      status: "open",
      expected_datetime: "2027-01-15T23:59:59+08:00",
      service_code: "report-misconduct",
    });
    expect(toOpen311Request({ ...row, kind: "opinion" })).toMatchObject({
      description: "意见建议·腐败和作风问题",
      address: "高青县花沟镇",
    });
    expect(
      toOpen311Request({ ...row, kind: "opinion", publicSummary: "反映道路问题，联系电话13611112222" }).description,
    ).toBe("反映道路问题，联系电话***");
  });
  it("closed for finished statuses, with the close time and no deadline", () => {
    const closedAt = new Date("2026-11-20T02:00:00Z");
    for (const status of ["closed", "not_accepted", "merged"]) {
      expect(toOpen311Request({ ...row, status, closedAt })).toMatchObject({
        status: "closed",
        expected_datetime: null,
      });
    }
    expect(toOpen311Request({ ...row, status: "closed", closedAt }).updated_datetime).toBe(closedAt.toISOString());
    expect(toOpen311Request({ ...row, extendedDays: 20 }).status_notes).toBe("办理中（办理期限已延长 20 日）");
  });
});

describe("Open311 keys", () => {
  it("are 256-bit random and hashed with SHA-256", () => {
    const a = generateOpen311Key();
    expect(a).not.toBe(generateOpen311Key());
    expect(Buffer.from(a.slice(5), "base64url")).toHaveLength(32);
    expect(hashOpen311Key("demo-open311-key")).toMatch(/^[0-9a-f]{64}$/);
  });
});
