import { describe, expect, it } from "vitest";
import { missingPackages } from "../../scripts/test-prerequisites.mjs";

// What `npm test` installs (as root) or asks for before the browser tests.
describe("test prerequisites", () => {
  const none = () => false;
  const all = () => true;

  it("asks for Chromium, the CJK fonts and Go's packages on a fresh Debian machine", () => {
    expect(missingPackages({ hasDpkg: true, isInstalled: none, chromiumPresent: false })).toEqual([
      "chromium",
      "fonts-noto-cjk",
      "golang-go",
      "golang-golang-x-mod-dev",
    ]);
  });

  it("asks for nothing when both are installed", () => {
    expect(missingPackages({ hasDpkg: true, isInstalled: all, chromiumPresent: true })).toEqual([]);
  });

  it("asks only for the fonts when Chromium is there but the fonts are not", () => {
    const isInstalled = (pkg: string) => pkg !== "fonts-noto-cjk";
    expect(missingPackages({ hasDpkg: true, isInstalled, chromiumPresent: true })).toEqual(["fonts-noto-cjk"]);
    // A Chromium binary put there by other means counts too.
    const noChromiumPackage = (pkg: string) => pkg !== "fonts-noto-cjk" && pkg !== "chromium";
    expect(missingPackages({ hasDpkg: true, isInstalled: noChromiumPackage, chromiumPresent: true })).toEqual([
      "fonts-noto-cjk",
    ]);
  });

  it("without dpkg, only a missing Chromium binary is reported", () => {
    expect(missingPackages({ hasDpkg: false, isInstalled: none, chromiumPresent: false })).toEqual(["chromium"]);
    expect(missingPackages({ hasDpkg: false, isInstalled: none, chromiumPresent: true })).toEqual([]);
  });
});
