// @ts-check
import node from "@astrojs/node";
import { defineConfig } from "astro/config";

// One Node process: Astro renders the site, and site/pages/api/[...path].ts hands /api/* to the Hono app.
export default defineConfig({
  srcDir: "./site",
  publicDir: "./site/public",
  // SUNSHINE_BUILD_DIR lets parallel checkouts/tests build without clobbering each other.
  outDir: process.env.SUNSHINE_BUILD_DIR ?? "./dist",
  output: "server",
  adapter: node({ mode: "standalone" }),
  server: { host: "127.0.0.1", port: 4321 },
  // Astro ignores the Host header unless it matches allowedDomains (then url.origin is wrong). Its own
  // origin check is off: it also refuses API clients that send no Origin (Open311, curl); the site's
  // middleware checks page form posts instead, and console forms carry CSRF tokens.
  security: { checkOrigin: false, allowedDomains: [{ protocol: "http" }, { protocol: "https" }] },
  // No inline scripts, so the CSP can say script-src 'self'.
  vite: { build: { assetsInlineLimit: 0 } },
  devToolbar: { enabled: false },
  // `astro dev` is a composition root too: migrate, seed and register search sources before serving.
  integrations: [
    {
      name: "sunshine-prepare",
      hooks: {
        "astro:server:setup": async ({ server }) => {
          const { prepare } = await server.ssrLoadModule("/server/boot.ts");
          await prepare();
        },
      },
    },
  ],
});
