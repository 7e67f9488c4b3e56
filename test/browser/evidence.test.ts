import type { Browser, Page } from "playwright-core";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { connectForFile, expectNoAxeViolations, openPage } from "./harness";

// Evidence on the /report form with JavaScript off: a file that is not what its name says is refused
// next to the file input with the typed text kept; a real photo is filed with the ticket.

async function fillReport(page: Page) {
  await page.goto("/report");
  await page.check('input[name="kind"][value="complaint"]');
  await page.selectOption("#category", { label: "危房改造" });
  await page.fill("#title", "危房改造补助未发放（附照片）");
  await page.fill("#description", "房子漏雨，补助一直没有发放，附上照片。");
  await page.selectOption("#district", "高青县");
}

describe("evidence on the report form", () => {
  let browser: Browser;
  connectForFile((b) => {
    browser = b;
  });

  it("refuses a renamed non-image next to the file input, keeps the text, then files with a real photo (JS off)", async () => {
    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    await fillReport(page);
    await page.setInputFiles("#evidence", {
      name: "photo.jpg",
      mimeType: "image/jpeg",
      buffer: Buffer.from("这其实是一段文字，不是照片"),
    });
    await Promise.all([page.waitForLoadState("load"), page.click('form[action="/report"] button[type="submit"]')]);
    expect(await page.locator("#evidence-error").textContent()).toContain("不是 JPEG、PNG、WebP 图片或 PDF");
    expect(await page.locator("#error-summary a[href='#evidence']").count()).toBe(1);
    expect(await page.inputValue("#description")).toBe("房子漏雨，补助一直没有发放，附上照片。");
    expect(await page.inputValue("#title")).toBe("危房改造补助未发放（附照片）");

    const photo = await sharp({ create: { width: 32, height: 24, channels: 3, background: "#996633" } })
      .jpeg()
      .withExif({ IFD3: { GPSLatitudeRef: "N", GPSLatitude: "36/1 48/1 0/1" } })
      .toBuffer();
    await page.setInputFiles("#evidence", { name: "IMG_2001.jpg", mimeType: "image/jpeg", buffer: photo });
    await Promise.all([page.waitForLoadState("load"), page.click('form[action="/report"] button[type="submit"]')]);
    expect(await page.locator("h1").textContent()).toContain("提交成功");
    expect(await page.locator("#ticket-number").textContent()).toMatch(/^ZB-\d{4}-\d{6,}$/);
    await context.close();
  });

  it("shows the file input with its limits; the error state is accessible (JS on)", async () => {
    const { page, context } = await openPage(browser);
    await page.goto("/report");
    expect(await page.getAttribute('form[action="/report"]', "enctype")).toBe("multipart/form-data");
    expect(await page.locator("#evidence-hint").textContent()).toContain("最多 5 个");
    expect(await page.locator("label[for='evidence']").textContent()).toContain("证据材料");
    await expectNoAxeViolations(page);
    await fillReport(page);
    await page.setInputFiles("#evidence", [
      { name: "a.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4 but never finished") },
    ]);
    await Promise.all([page.waitForLoadState("load"), page.click('form[action="/report"] button[type="submit"]')]);
    expect(await page.locator("#evidence-error").textContent()).toContain("不是完整的 PDF");
    expect(await page.getAttribute("#evidence", "aria-invalid")).toBe("true");
    await expectNoAxeViolations(page);
    await context.close();
  });

  it("adds evidence on /track with the receipt (JS off): a wrong file is refused next to the input, a photo is added", async () => {
    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    await fillReport(page);
    await Promise.all([page.waitForLoadState("load"), page.click("#report-submit")]);
    const number = (await page.locator("#ticket-number").textContent())?.trim() ?? "";
    const receipt = (await page.locator("#ticket-receipt").textContent())?.trim() ?? "";
    expect(number).toMatch(/^ZB-/);

    await page.goto("/track");
    await page.fill("#number", number);
    await page.fill("#receipt", receipt);
    await Promise.all([page.waitForLoadState("load"), page.click("#track-submit")]);
    await page.setInputFiles("#evidence", {
      name: "合同.pdf",
      mimeType: "application/pdf",
      buffer: Buffer.from("不是 PDF"),
    });
    await Promise.all([page.waitForLoadState("load"), page.click("#evidence-submit")]);
    expect(await page.locator("#evidence-error").textContent()).toContain("不是 JPEG、PNG、WebP 图片或 PDF");

    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#336699" } })
      .png()
      .toBuffer();
    await page.setInputFiles("#evidence", { name: "现场.png", mimeType: "image/png", buffer: png });
    await Promise.all([page.waitForLoadState("load"), page.click("#evidence-submit")]);
    expect(await page.locator("[role='status']").textContent()).toContain("已收到您补充的 1 个证据材料");
    expect(await page.locator("body").textContent()).toContain("反映人提交了 1 个证据材料");
    expect(page.url()).not.toContain(receipt);
    await context.close();
  });
});
