import { readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { connectForFile, expectNoAxeViolations, expectNoAxeViolationsWithJs, openNoJsPage, openPage } from "./harness";

// The transparency log as a reporter and a sceptic use it: file a report, download its proof of filing
// (and the content opening), check both on /verify in the browser (WebCrypto) and on the server without
// JavaScript; a tampered proof is refused with the failing check named.

async function submit(page: Page, selector: string) {
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && r.request().isNavigationRequest()),
    page.click(selector),
  ]);
  await page.waitForLoadState("load");
}

async function download(page: Page, selector: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
  return readFileSync((await file.path()) as string, "utf8");
}

/** A proof whose inclusion path no longer matches: one hash of it replaced. */
function tamper(proof: string) {
  const lines = proof.split("\n");
  const i = lines.findIndex((l) => l.startsWith("index "));
  const hash = lines[i + 1];
  if (!hash || hash === "") return proof.replace(/^index (\d+)$/m, (_, n) => `index ${Number(n) + 1}`);
  lines[i + 1] = `${hash[0] === "A" ? "B" : "A"}${hash.slice(1)}`;
  return lines.join("\n");
}

describe("transparency log pages", () => {
  let browser: Browser;
  let proof = "";
  let opening = "";
  connectForFile((b) => {
    browser = b;
  });

  it("files a report and downloads its proof of filing and content opening", async () => {
    const { page, context, errors } = await openPage(browser);
    await page.goto("/report");
    await page.check('input[name="kind"][value="report"]');
    await page.selectOption("#category", { label: "危房改造" });
    await page.fill("#title", "透明日志测试：补助被截留");
    await page.fill("#description", "村里把危房改造补助截留了一部分，请核实。");
    await page.selectOption("#district", "高青县");
    await submit(page, "#report-submit");
    const number = (await page.locator("#ticket-number").textContent())?.trim() ?? "";
    const receipt = (await page.locator("#ticket-receipt").textContent())?.trim() ?? "";
    expect(number).toMatch(/^ZB-/);
    // The sequencer runs every second: wait until the filing is in the log.
    await expect
      .poll(
        async () =>
          (await page.request.get(`/api/tickets/${number}/proof`, { headers: { "X-Receipt": receipt } })).status(),
        {
          timeout: 20_000,
          interval: 500,
        },
      )
      .toBe(200);
    proof = await download(page, "#download-proof");
    expect(proof.split("\n")[0]).toBe("c2sp.org/tlog-proof@v1");
    opening = await download(page, "#download-opening");
    expect(JSON.parse(opening)).toMatchObject({ ticket: number, content: { title: "透明日志测试：补助被截留" } });
    // /track offers the same downloads after a lookup.
    await page.goto("/track");
    await page.fill("#number", number);
    await page.fill("#receipt", receipt);
    await submit(page, "#track-submit");
    expect(await download(page, "#download-proof")).toContain(`index `);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("verifies the proof in the browser (JavaScript on) and refuses a tampered one", async () => {
    const { page, context, errors } = await openPage(browser);
    await page.goto("/verify");
    await expectNoAxeViolations(page);
    await page.fill("#proof", proof);
    await page.click("#verify-submit");
    await expect.poll(() => page.locator("#verdict").textContent()).toContain("证明有效");
    expect(await page.locator("#verified-where").textContent()).toContain("浏览器");
    expect(page.url()).toMatch(/\/verify$/);

    await page.locator("details summary", { hasText: "同时核对内容" }).click();
    await page.fill("#opening", opening);
    await page.click("#verify-submit");
    await expect.poll(() => page.locator("#checks").textContent()).toContain("内容核对一致");
    await expectNoAxeViolations(page);

    await page.fill("#opening", opening.replace("截留", "挪用"));
    await page.click("#verify-submit");
    await expect.poll(() => page.locator("#verdict").textContent()).toContain("内容核对不一致");

    await page.fill("#opening", "");
    await page.fill("#proof", tamper(proof));
    await page.click("#verify-submit");
    await expect.poll(() => page.locator("#verdict").textContent()).toContain("证明无效");
    expect(await page.locator("#verdict").textContent()).toContain("包含证明不成立");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("verifies on the server with JavaScript off, and refuses a tampered proof", async () => {
    const { page, context } = await openNoJsPage(browser);
    await page.goto("/verify");
    await submit(page, "#verify-submit");
    expect(await page.locator("#proof-error").textContent()).toContain("请粘贴证明内容");
    await page.fill("#proof", proof);
    await submit(page, "#verify-submit");
    expect(await page.locator("#verdict").textContent()).toContain("证明有效");
    expect(await page.locator("#verified-where").textContent()).toContain("服务器");
    await expectNoAxeViolationsWithJs(browser, page);

    await page.fill("#proof", tamper(proof));
    await submit(page, "#verify-submit");
    expect(await page.locator("#verdict").textContent()).toContain("证明无效");
    expect(await page.inputValue("#proof")).toBe(tamper(proof));

    await page.fill("#proof", proof.replace("c2sp.org/tlog-proof@v1", "not a proof"));
    await submit(page, "#verify-submit");
    expect(await page.locator("#verdict").textContent()).toContain("格式不对");
    await context.close();
  });

  it("/verify fits a 320 px phone", async () => {
    const { page, context } = await openPage(browser);
    await page.setViewportSize({ width: 320, height: 640 });
    await page.goto("/verify");
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await context.close();
  });
});
