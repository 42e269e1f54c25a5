/**
 * The static files the pages load: the browser code (src/client, TypeScript
 * bundled by esbuild with uPlot inside, once at start, in memory), its
 * stylesheet and uPlot's. No build step and nothing written to disk: a
 * checkout runs as it is.
 *
 * Each asset is served with a strong ETag of its bytes, so a reload asks
 * "changed?" and gets a 304 instead of the bytes again.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { Hono } from "hono";

export interface Asset {
  body: string;
  type: string;
  etag: string;
}

const CLIENT_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "client");

const asset = (body: string, type: string): Asset => ({
  body,
  type,
  etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`,
});

/** Bundles the browser code and reads the stylesheets; throws when the client code does not build. */
export async function buildAssets(): Promise<Map<string, Asset>> {
  const result = await build({
    entryPoints: [path.join(CLIENT_DIR, "main.ts")],
    bundle: true,
    format: "esm",
    minify: true,
    target: "es2020",
    write: false,
    logLevel: "silent",
    legalComments: "none",
  });
  const js = result.outputFiles[0]!.text;
  const require = createRequire(import.meta.url);
  const uplotCss = readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8");
  return new Map([
    ["/assets/app.js", asset(js, "text/javascript; charset=utf-8")],
    [
      "/assets/app.css",
      asset(readFileSync(path.join(CLIENT_DIR, "styles.css"), "utf8"), "text/css; charset=utf-8"),
    ],
    ["/assets/uplot.css", asset(uplotCss, "text/css; charset=utf-8")],
  ]);
}

export function serveAssets(app: Hono, assets: ReadonlyMap<string, Asset>): void {
  app.get("/assets/*", (c) => {
    const found = assets.get(c.req.path);
    if (found === undefined) return c.notFound();
    c.header("ETag", found.etag);
    c.header("Cache-Control", "no-cache");
    // Compression marks the tag weak (W/"…"): the same bytes either way, so either form matches.
    const asked = (c.req.header("if-none-match") ?? "")
      .split(",")
      .map((tag) => tag.trim().replace(/^W\//, ""));
    if (asked.includes(found.etag)) return c.body(null, 304);
    c.header("Content-Type", found.type);
    return c.body(found.body);
  });
  // Browsers ask for it on every page; a 404 would be a console error on each.
  app.get("/favicon.ico", (c) => c.body(null, 204));
}
