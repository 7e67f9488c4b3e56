import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../seed/console";
import { expectNoAxeViolations, launchBrowser, openPage } from "./harness";

// The campaign archive as people use it: reading the founding document by its outline, submitting a
// photo without JavaScript, a publisher approving it in the console, the public seeing it (with no
// GPS in the served file), and browsing the honour roll.

describe("archive", () => {
  let browser: Browser;
  let photoFile: string;
  let renamedFile: string;
  const title = `滩区新路-${Date.now().toString(36)}`;

  beforeAll(async () => {
    browser = await launchBrowser();
    const dir = mkdtempSync(path.join(tmpdir(), "archive-browser-"));
    photoFile = path.join(dir, "IMG_2040.jpg");
    // A camera-like JPEG carrying EXIF with a GPS position.
    const jpeg = await sharp({ create: { width: 1800, height: 1200, channels: 3, background: "#5a8f3c" } })
      .jpeg()
      .withExif({
        IFD0: { Make: "TestCam", Model: "GPS-1" },
        IFD3: {
          GPSLatitudeRef: "N",
          GPSLatitude: "36/1 48/1 30/1",
          GPSLongitudeRef: "E",
          GPSLongitude: "118/1 3/1 0/1",
        },
      })
      .toBuffer();
    expect((await sharp(jpeg).metadata()).exif).toBeDefined();
    writeFileSync(photoFile, jpeg);
    renamedFile = path.join(dir, "not-a-photo.jpg");
    writeFileSync(renamedFile, "%PDF-1.4 this is not an image");
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("reads a measure of the founding document through its outline link", async () => {
    const { page, context, errors } = await openPage(browser);
    await page.goto("/policies");
    await expectNoAxeViolations(page);
    await page.getByRole("link", { name: /关于打赢脱贫攻坚战三年行动的实施意见/ }).click();
    await expect(page.locator("h1").textContent()).resolves.toContain("实施意见");
    const outline = page.getByRole("navigation", { name: "目录" });
    await outline.getByRole("link", { name: "10. 加快实施农村危房改造，保障贫困人口住房安全" }).click();
    expect(new URL(page.url()).hash).toBe("#m10");
    const measure = page.locator("#m10");
    await expect(measure.locator("h3").textContent()).resolves.toContain("加快实施农村危房改造");
    expect((await measure.locator(".unit.lead").first().textContent())?.trim()).toBe("市住房城乡建设局");
    expect(await measure.isVisible()).toBe(true);
    // The lead-unit index lists the measures a unit leads.
    await page.getByRole("link", { name: "市住房城乡建设局" }).first().click();
    await expect(page.locator("#lead-units dd").first().textContent()).resolves.toContain("10. 加快实施农村危房改造");
    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("takes a photo submission without JavaScript, with clear errors for bad input", async () => {
    // axe needs JavaScript: check the form and its error state in a normal page first.
    const checked = await openPage(browser);
    await checked.page.goto("/archive/photos/submit");
    await expectNoAxeViolations(checked.page);
    await checked.page.getByRole("button", { name: "提交投稿" }).click();
    await expect(checked.page.locator("#title-error").textContent()).resolves.toContain("请填写照片标题");
    await expectNoAxeViolations(checked.page);
    await checked.context.close();

    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    await page.goto("/archive/photos/submit");
    // A renamed non-image and no consent: both explained, the typed text kept.
    await page.setInputFiles("#photo", renamedFile);
    await page.fill("#title", title);
    await page.fill("#place", "高青县黑里寨镇");
    await page.fill("#creator", "测试拍摄者");
    await page.getByRole("button", { name: "提交投稿" }).click();
    await expect(page.locator("#photo-error").textContent()).resolves.toContain("不是 JPEG、PNG 或 WebP");
    await expect(page.locator("#consent-error").textContent()).resolves.toContain("同意公开");
    expect(await page.inputValue("#title")).toBe(title);
    // Now properly.
    await page.setInputFiles("#photo", photoFile);
    await page.fill("#description", "硬化后的进村路，两旁是新栽的树。");
    await page.selectOption("#district", "高青县");
    await page.fill("#takenOn", "2020-05-01");
    await page.check("#consent");
    await Promise.all([
      page.waitForURL(/\/archive\/photos\?submitted=1/),
      page.getByRole("button", { name: "提交投稿" }).click(),
    ]);
    await expect(page.getByRole("status").textContent()).resolves.toContain("投稿已收到");
    // Not public before moderation.
    expect(await page.getByText(title).count()).toBe(0);
    await context.close();
  });

  it("lets a publisher approve it in the console; the public then sees it with its metadata and no GPS", async () => {
    const { page, context } = await openPage(browser);
    await page.goto("/console/photos");
    await page.fill("#username", "fabu");
    await page.fill("#password", DEMO_PASSWORD);
    await Promise.all([page.waitForURL(/\/console\/photos/), page.click("form.login button[type=submit]")]);
    const card = page.locator("li.card", { hasText: title });
    await expect(card.count()).resolves.toBe(1);
    await expectNoAxeViolations(page);
    await Promise.all([page.waitForURL(/done=approve/), card.getByRole("button", { name: /通过并公开/ }).click()]);
    await context.close();

    const visitor = await openPage(browser, { javaScriptEnabled: false });
    await visitor.page.goto("/archive/photos");
    await visitor.page.getByRole("link", { name: new RegExp(title) }).click();
    const p = visitor.page;
    await expect(p.locator("h1").textContent()).resolves.toContain(title);
    const dc = await p.locator("dl.dc").textContent();
    expect(dc).toContain("测试拍摄者");
    expect(dc).toContain("2020-05-01");
    expect(dc).toContain("高青县黑里寨镇");
    expect(dc).toContain("StillImage");
    const img = p.locator("figure img");
    expect(await img.getAttribute("srcset")).toMatch(/480\.jpg 480w, .*960\.jpg 960w, .*1600\.jpg 1600w/);
    expect(await img.getAttribute("width")).toBe("1600");
    expect(await img.getAttribute("height")).toBe("1067");
    // Every served rendition has no EXIF (hence no GPS).
    const base = new URL(p.url()).pathname;
    for (const name of ["480.jpg", "960.webp", "1600.jpg"]) {
      const res = await p.request.get(`${base}/${name}`);
      expect(res.status()).toBe(200);
      const bytes = await res.body();
      const meta = await sharp(bytes).metadata();
      expect(meta.exif).toBeUndefined();
      expect(bytes.includes(Buffer.from("TestCam"))).toBe(false);
    }
    // JSON-LD for the item.
    const id = base.split("/").pop();
    const ld = await p.request.get(`/api/archive/items/${id}`);
    expect(ld.headers()["content-type"]).toContain("application/ld+json");
    expect(await ld.json()).toMatchObject({ "@type": "Photograph", "dcterms:creator": "测试拍摄者" });
    await visitor.context.close();
    const checked = await openPage(browser);
    await checked.page.goto(base);
    await expectNoAxeViolations(checked.page);
    await checked.context.close();
  });

  it("browses the honour roll by year and district, without JavaScript", async () => {
    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    await page.goto("/honors");
    await page.selectOption("#f-year", "2019");
    await page.selectOption("#f-district", "沂源县");
    await Promise.all([page.waitForURL(/year=2019/), page.click("form.filters button[type=submit]")]);
    const names = await page.locator("ul.honors .name").allTextContents();
    expect(names).toEqual(["张海燕"]);
    await expect(page.getByRole("status").textContent()).resolves.toContain("共 1 个条目");
    await page.getByRole("link", { name: "张海燕" }).click();
    await expect(page.locator("h1").textContent()).resolves.toContain("张海燕");
    await expect(page.locator("article").textContent()).resolves.toContain("2019 年度先进个人");
    await expect(page.locator("article .demo-badge").count()).resolves.toBe(1);
    const detail = page.url();
    await context.close();
    const checked = await openPage(browser);
    for (const url of ["/honors", "/honors?year=2019&district=沂源县", detail]) {
      await checked.page.goto(url);
      await expectNoAxeViolations(checked.page);
    }
    await checked.context.close();
  });

  it("has no axe violations on the other public archive pages, and a sitemap listing them", async () => {
    const { page, context } = await openPage(browser);
    for (const url of [
      "/archive",
      "/archive/yearbook/2018",
      "/archive/yearbook/2021",
      "/archive/photos",
      "/archive/photos/1",
    ]) {
      const res = await page.goto(url);
      expect(res?.status(), url).toBe(200);
      await expectNoAxeViolations(page);
    }
    await page.goto("/archive/yearbook/2019");
    await page.getByRole("link", { name: /淄博脱贫攻坚年鉴（2020）/ }).click();
    expect(new URL(page.url()).pathname).toBe("/archive/yearbook/2020");
    const sitemap = await (await page.request.get("/sitemap.xml")).text();
    for (const p of ["/policies/zibo-2018-action-plan", "/archive/yearbook/2021", "/archive/photos/1", "/honors/1"]) {
      expect(sitemap).toContain(`${p}</loc>`);
    }
    await context.close();
  });
  it("lets a publisher publish a Markdown policy document whose <script> is rendered harmless", async () => {
    const { page, context, errors } = await openPage(browser);
    await page.goto("/console/policies");
    await page.fill("#username", "fabu");
    await page.fill("#password", DEMO_PASSWORD);
    await Promise.all([page.waitForURL(/\/console\/policies/), page.click("form.login button[type=submit]")]);
    await page.fill("#title", "关于影像档案征集的补充通知");
    await page.fill("#issuer", "淄博市扶贫开发领导小组办公室");
    await page.fill("#issuedOn", "2019-05-20");
    await page.fill("#slug", "photo-call-2019");
    await page.fill(
      "#body",
      '## 征集范围\n\n<script>document.title="pwned"</script>\n\n全市<b onclick="alert(1)">各区县</b>。',
    );
    await Promise.all([
      page.waitForURL(/\/policies\/photo-call-2019$/),
      page.getByRole("button", { name: "发布" }).click(),
    ]);
    await expect(page.locator(".markdown h2").textContent()).resolves.toBe("征集范围");
    expect(await page.locator(".markdown script").count()).toBe(0);
    expect(await page.locator(".markdown [onclick]").count()).toBe(0);
    expect(await page.title()).not.toContain("pwned");
    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
    await context.close();
  });
});
