import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { GET } from "../../site/pages/feeds/notices.xml";
import { staff } from "../support/console";
import { testDatabase } from "../support/db";
import { workshopNotice } from "../support/notices";

// The Atom feed (/feeds/notices.xml), called as the page server calls it.
const notice = { ...workshopNotice, implementer: "常家镇人民政府" };

async function feed(): Promise<string> {
  const url = new URL("http://127.0.0.1/feeds/notices.xml");
  const res = await (GET as (ctx: unknown) => Promise<Response>)({ url, request: new Request(url) });
  expect(res.status).toBe(200);
  return res.text();
}

function entry(xml: string, id: number) {
  const m = new RegExp(`<entry>\\s*<id>[^<]*/notices/${id}</id>[\\s\\S]*?</entry>`).exec(xml);
  expect(m, `entry for notice ${id}`).not.toBeNull();
  const e = (m as RegExpExecArray)[0];
  return {
    updated: /<updated>([^<]+)<\/updated>/.exec(e)?.[1],
    published: /<published>([^<]+)<\/published>/.exec(e)?.[1],
    title: /<title>([^<]+)<\/title>/.exec(e)?.[1],
  };
}

describe("Atom feed of notices", () => {
  it("moves an amended notice's <updated> (and the feed's) to the amendment's time", async () => {
    const pub = await staff("publisher", "city-fpb");
    const first = await pub.call("/api/notices", { method: "POST", json: notice });
    expect(first.status, first.text).toBe(201);
    const { db } = await testDatabase();
    // Published two days ago, so the amendment is visibly later.
    await db.execute(
      sql`UPDATE notices SET published_at = now() - interval '2 days' WHERE id = ${first.body.id as number}`,
    );
    const before = entry(await feed(), first.body.id);
    expect(before.updated).toBe(before.published);

    const am = await pub.call(`/api/notices/${first.body.id}/amendments`, {
      method: "POST",
      json: { content: "新建扶贫车间 1,500 平方米", reason: "面积有误，更正" },
    });
    expect(am.status, am.text).toBe(201);
    const xml = await feed();
    const after = entry(xml, first.body.id);
    expect(after.title).toContain("已更正");
    expect(after.published).toBe(before.published);
    expect(after.updated! > before.updated!).toBe(true);
    expect(after.updated).toBe(entry(xml, am.body.id).published);
    const feedUpdated = /<feed[\s\S]*?<updated>([^<]+)<\/updated>/.exec(xml)?.[1];
    expect(feedUpdated! >= after.updated!).toBe(true);
  });
});
