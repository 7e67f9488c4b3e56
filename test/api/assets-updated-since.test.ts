import { describe, expect, it } from "vitest";
import { todayCn } from "../../domain/notices/state";
import { api, expectEnvelope } from "../support/http";
import { postProject, trail } from "../support/money";

// updatedSince on the asset register (GET /api/assets), like the project library's: a bad time is a
// 400 naming the parameter; an asset registered or corrected after the time is listed, none before.

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

const projectIds = (body: { items: { projectId: number }[] }) => body.items.map((a) => a.projectId);

describe("GET /api/assets?updatedSince=", () => {
  it("refuses a time that is not ISO 8601 with a 400 naming the parameter", async () => {
    for (const bad of ["yesterday", "2026", "2026-13-01"]) {
      const r = await api(`/api/assets?updatedSince=${encodeURIComponent(bad)}`);
      expect(r.status, bad).toBe(400);
      expect(expectEnvelope(r.body).details).toEqual([{ path: "updatedSince", message: "时间格式有误" }]);
    }
  });

  it("lists the assets registered or corrected after the time", async () => {
    const { pub, v } = await trail("100000.00", "60000.00");
    const project = await postProject(pub, v);
    expect(project.status, project.text).toBe(201);
    const id: number = project.body.id;
    // Reserved today (the POST's date), so every later stage is today too.
    for (const stage of ["approved", "implementing", "accepted"]) {
      const r = await pub.call(`/api/projects/${id}/stages`, {
        method: "POST",
        json: { stage, happenedOn: todayCn() },
      });
      expect(r.status, r.text).toBe(201);
    }
    await wait(20);
    const before = new Date().toISOString();
    await wait(20);
    const since = async (t: string) => {
      const r = await api(`/api/assets?updatedSince=${encodeURIComponent(t)}&pageSize=200`);
      expect(r.status, r.text).toBe(200);
      return r.body;
    };
    expect(projectIds(await since(before))).not.toContain(id);

    const asset = (owner: string) =>
      pub.call(`/api/projects/${id}/asset`, {
        method: "PUT",
        json: {
          assetName: "村道 2 公里",
          assetValue: "300000",
          owner,
          manager: "村委会",
          maintenance: "村委会每月巡查",
          registeredOn: todayCn(),
        },
      });
    expect((await asset("村集体经济组织")).status).toBe(200);
    expect(projectIds(await since(before))).toContain(id);
    expect(projectIds(await since("2000-01-01"))).toContain(id);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await since(future)).total).toBe(0);

    // A correction of the asset counts as a change.
    await wait(20);
    const registered = new Date().toISOString();
    await wait(20);
    expect(projectIds(await since(registered))).not.toContain(id);
    expect((await asset("镇人民政府")).status).toBe(200);
    const corrected = await since(registered);
    expect(corrected.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ projectId: id, owner: "镇人民政府" })]),
    );
  });
});
