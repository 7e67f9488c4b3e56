import iconv from "iconv-lite";
import type { Browser, Page } from "playwright-core";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { idCheckChar, maskName } from "../../domain/money/privacy";
import { DEMO_HOUSEHOLDS } from "../../seed/money";
import { baseURL, browserForFile, expectNoAxeViolationsWithJs, openNoJsPage, signIn } from "./harness";

// Publishing the money trail with JavaScript off: a GBK household-register file with one bad row gets a
// row report (ID numbers masked) and nothing is written; fixed, it is checked again and committed; a
// 危房改造 case is then registered by the 户主's ID number and gets a before photo (EXIF removed, not
// public while the case is not in 公示). A GBK 公示 list file naming a stranger is refused the same way;
// fixed, it is published as the village's notice, a 危房改造 case is put into 公示 with it, and the
// village page lists both with masked names only.

const submit = (page: Page, selector: string) => Promise.all([page.waitForLoadState("load"), page.click(selector)]);
const idn = (first17: string) => `${first17}${idCheckChar(first17)}`;
const HEADER = "区县,镇办,村,户主姓名,身份证号码,家庭人口,状态,识别日期";

async function aVillage() {
  const list = await (await fetch(`${baseURL()}/api/districts`)).json();
  const d = (Array.isArray(list) ? list : list.items).find((x: { name: string }) => x.name === "高青县");
  const t = d.towns[0];
  return { district: d.name as string, town: t.name as string, village: t.villages[0].name as string };
}

describe("publishing the money trail", () => {
  let browser: Browser;
  browserForFile((b) => {
    browser = b;
  });

  it("household register CSV (GBK): one bad row reported, nothing written; fixed, committed", async () => {
    const { page, context, errors } = await openNoJsPage(browser);
    await signIn(page, "fabu");
    await page.goto("/console/publish");
    await submit(page, 'a:has-text("导入户籍登记（CSV）")');
    expect(await page.locator("h1").textContent()).toContain("导入户籍登记");
    await expectNoAxeViolationsWithJs(browser, page);
    const v = await aVillage();
    const people = [
      { name: "浏览器甲", id: idn("37032219880808111") },
      { name: "浏览器乙", id: idn("37032219880808222") },
    ];
    const wrong = `${people[1].id.slice(0, 17)}${people[1].id[17] === "1" ? "2" : "1"}`;
    const row = (p: { name: string; id: string }) =>
      `${v.district},${v.town},${v.village},${p.name},${p.id},3,建档立卡,2016-05-01`;
    await page.setInputFiles("#file", {
      name: "户籍登记.csv",
      mimeType: "text/csv",
      buffer: iconv.encode([HEADER, row(people[0]), row({ ...people[1], id: wrong })].join("\r\n"), "gbk"),
    });
    await submit(page, 'button:has-text("上传并检查")');
    const report = page.locator("#problems");
    await expect.poll(() => report.textContent()).toContain("身份证号码位数或校验位不对");
    expect(await page.locator("#problems tbody tr").count()).toBe(1);
    const reportHtml = await page.content();
    expect(reportHtml).toContain("没有写入任何数据");
    expect(reportHtml).not.toContain(wrong);
    expect(reportHtml).not.toContain(people[0].name);

    await page.setInputFiles("#file", {
      name: "户籍登记.csv",
      mimeType: "text/csv",
      buffer: iconv.encode([HEADER, ...people.map(row)].join("\r\n"), "gbk"),
    });
    await submit(page, 'button:has-text("上传并检查")');
    expect(await page.locator("#import-preview").textContent()).toContain("GBK 编码");
    const preview = await page.content();
    for (const p of people) {
      expect(preview).not.toContain(p.id);
      expect(preview).not.toContain(p.name);
    }
    await submit(page, 'button:has-text("确认导入 2 条")');
    expect(await page.locator("#import-done").textContent()).toContain("已导入 2 条户籍登记记录");

    // The households are in the register: a 危房改造 case can be registered by the 户主's ID number.
    await page.goto("/console/publish/housing-cases");
    await page.fill("#idNumber", people[0].id);
    await page.fill("#amount", "30000");
    await page.fill("#appliedOn", "2026-03-01");
    await submit(page, 'button:has-text("登记")');
    expect(await page.locator("h1").textContent()).toContain("浏**甲");
    expect(await page.content()).not.toContain(people[0].id);
    // A before photo, with the warning about faces and house numbers.
    expect(await page.locator("#photo-warning").textContent()).toContain("请勿拍到人脸和门牌号");
    await page.selectOption("#phase", "before");
    await page.setInputFiles("#photo", {
      name: "before.jpg",
      mimeType: "image/jpeg",
      buffer: await sharp({ create: { width: 640, height: 480, channels: 3, background: "#a74" } })
        .jpeg()
        .withExif({ IFD0: { Make: "TestCam" } })
        .toBuffer(),
    });
    await submit(page, 'button:has-text("上传照片")');
    expect(await page.locator("[role=status]").textContent()).toContain("照片已保存");
    const src = await page.locator(".photos img").first().getAttribute("src");
    const photo = await page.request.get(src!);
    expect(photo.status()).toBe(200);
    expect((await photo.body()).includes(Buffer.from("TestCam"))).toBe(false);
    // Not in 公示: the public gets no photo.
    expect((await fetch(`${baseURL()}${src}`)).status).toBe(404);
    // The row report is answered with 400 on purpose; nothing else may fail.
    expect(errors.filter((e) => !e.includes("status of 400"))).toEqual([]);
    await context.close();
  }, 240_000);

  it("公示名单 CSV (GBK): a stranger's row reported, nothing written; fixed, published; the village page lists it and the case in 公示", async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const funds = await (await fetch(`${baseURL()}/api/funds?q=${encodeURIComponent("淄财农〔2026〕31号")}`)).json();
    const place = funds.items[0] as { district: string; town: string; village: string };
    const { page, context, errors } = await openNoJsPage(browser);
    await signIn(page, "fabu");
    await page.goto("/console/publish/beneficiary-lists");
    await submit(page, 'a:has-text("导入公示名单（CSV）")');
    expect(await page.locator("h1").textContent()).toContain("导入公示名单");
    await expectNoAxeViolationsWithJs(browser, page);
    const [a, b] = [DEMO_HOUSEHOLDS[2], DEMO_HOUSEHOLDS[3]];
    const stranger = idn("37032219990101000");
    const header = "区县,镇办,村,名单类型,身份证号码,户主姓名,金额";
    const row = (p: { idNumber: string; name: string }) =>
      `${place.district},${place.town},${place.village},收益分红,${p.idNumber},${p.name},500`;
    await page.setInputFiles("#file", {
      name: "分红名单.csv",
      mimeType: "text/csv",
      buffer: iconv.encode([header, row(a), row({ idNumber: stranger, name: "陌生人" })].join("\r\n"), "gbk"),
    });
    await submit(page, 'button:has-text("上传并检查")');
    await expect.poll(() => page.locator("#problems").textContent()).toContain("户籍登记中没有这个身份证号码");
    expect(await page.locator("#problems tbody tr").count()).toBe(1);
    const report = await page.content();
    expect(report).toContain("没有写入任何数据");
    expect(report).not.toContain(stranger);
    expect(report).not.toContain(a.idNumber);

    await page.setInputFiles("#file", {
      name: "分红名单.csv",
      mimeType: "text/csv",
      buffer: iconv.encode([header, row(a), row(b)].join("\r\n"), "gbk"),
    });
    await submit(page, 'button:has-text("上传并检查")');
    expect(await page.locator("#import-preview").textContent()).toContain("GBK 编码");
    const preview = await page.content();
    for (const p of [a, b]) {
      expect(preview).not.toContain(p.idNumber);
      expect(preview).not.toContain(p.name);
    }
    await submit(page, 'button:has-text("确认导入 2 条")');
    expect(await page.locator("#import-done").textContent()).toContain("已导入 2 条公示名单记录");
    const lists = await (
      await fetch(`${baseURL()}/api/beneficiary-lists?updatedSince=${encodeURIComponent(since)}`)
    ).json();
    expect(lists.items).toHaveLength(1);
    const noticeId = lists.items[0].noticeId as number;
    const listId = lists.items[0].id as number;
    // The notice carries the list: it points to the village page, where the households are listed.
    await page.goto(`/notices/${noticeId}`);
    expect(await page.locator("#beneficiary-list").textContent()).toContain("本公示附名单 2 户");
    expect(await page.locator(`#beneficiary-list a[href$="#list-${listId}"]`).count()).toBe(1);

    // A 危房改造 case of one of them, its 村评议 result published with that notice: now in 公示.
    await page.goto("/console/publish/housing-cases");
    await page.fill("#idNumber", a.idNumber);
    await page.fill("#amount", "12000");
    await page.fill("#appliedOn", "2026-03-01");
    await submit(page, 'button:has-text("登记")');
    const caseId = Number(new URL(page.url()).pathname.split("/").pop());
    await page.fill("#on", "2026-03-10");
    await page.fill("#noticeId", String(noticeId));
    await submit(page, 'button:has-text("推进")');
    const publicCase = await (await fetch(`${baseURL()}/api/housing-cases/${caseId}`)).json();
    expect(publicCase.reviewNoticeId).toBe(noticeId);

    await page.goto(`/villages/${publicCase.villageId}`);
    const cases = page.locator("#cases-in-public");
    expect(await cases.textContent()).toContain(publicCase.nameMasked);
    expect(await cases.textContent()).toContain("村评议");
    expect(await cases.locator(`a[href="/notices/${noticeId}"]`).count()).toBe(1);
    const listed = await page.locator(`#list-${listId}`).textContent();
    for (const p of [a, b]) expect(listed).toContain(maskName(p.name));
    const village = await page.content();
    for (const p of DEMO_HOUSEHOLDS) {
      expect(village).not.toContain(p.idNumber);
      expect(village).not.toContain(p.name);
    }
    await expectNoAxeViolationsWithJs(browser, page);
    // The row report is answered with 400 on purpose; nothing else may fail.
    expect(errors.filter((e) => !e.includes("status of 400"))).toEqual([]);
    await context.close();
  }, 240_000);
});
