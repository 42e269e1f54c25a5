/**
 * BrowserRenderer against real HTTP servers on 127.0.0.1 and Debian's Chromium: Ctrl-C stays the
 * CLI's (playwright's signal handlers off: a child process renders, gets SIGINT, and finishes its
 * own stop), a Chromium that dies is relaunched at the next render, and a URL's basic-auth
 * credentials go to its own origin only. Skipped, saying why, only when Chromium is absent.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import { BrowserRenderer, DEFAULT_CHROMIUM, launchOptions } from "./browser-render.js";

const chromium = existsSync(DEFAULT_CHROMIUM);
if (!chromium)
  console.warn(
    `browser-render.int.test.ts: Chromium not found at ${DEFAULT_CHROMIUM}: the render tests are skipped ` +
      "(apt-get install chromium, or set TOTEWATCH_CHROMIUM)",
  );

const HTTP = { timeoutMs: 15_000, userAgent: "totewatch/0.1", maxBodyBytes: 1 << 20 };
const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A server on 127.0.0.1 answering with `handler`; its base URL. */
async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const page: http.RequestListener = (_req, res) => {
  res.writeHead(200, { "content-type": "text/html" }).end("<p>hi</p>");
};

describe("BrowserRenderer", () => {
  it("launches Chromium with playwright's SIGINT, SIGTERM and SIGHUP handlers off", () => {
    expect(launchOptions("/usr/bin/chromium")).toMatchObject({
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
  });

  it.skipIf(!chromium)(
    "after a render, SIGINT runs the process's own stop, not playwright's exit(130)",
    { timeout: 60_000 },
    async () => {
      const base = await serve(page);
      const script = path.join(mkdtempSync(path.join(tmpdir(), "totewatch-sigint-")), "child.mts");
      writeFileSync(
        script,
        [
          `import { BrowserRenderer } from ${JSON.stringify(path.join(import.meta.dirname, "browser-render.ts"))};`,
          "const controller = new AbortController();",
          'process.on("SIGINT", () => controller.abort());',
          `const renderer = new BrowserRenderer({ http: ${JSON.stringify(HTTP)}, signal: controller.signal });`,
          `const first = await renderer.render(${JSON.stringify(`${base}/`)});`,
          'console.log("rendered", first.ok);',
          'process.kill(process.pid, "SIGINT");',
          // The poller's stop path: the write in flight, then the browser closed, then the summary.
          "await new Promise((resolve) => setTimeout(resolve, 500));",
          'console.log("aborted", controller.signal.aborted);',
          "await renderer.close();",
          'console.log("clean stop");',
        ].join("\n"),
      );
      // Asynchronously: this process serves the page the child renders.
      const child = await new Promise<{ status: number | null; stdout: string; stderr: string }>(
        (resolve, reject) => {
          const run = execFile(
            process.execPath,
            ["--import", "tsx", script],
            { cwd: path.resolve(import.meta.dirname, "../.."), encoding: "utf8", timeout: 45_000 },
            (error, stdout, stderr) => {
              if (error && typeof error.code === "string") reject(error);
              else resolve({ status: run.exitCode, stdout, stderr });
            },
          );
        },
      );
      expect(child.stderr).toBe("");
      expect(child.stdout).toBe("rendered true\naborted true\nclean stop\n");
      expect(child.status).toBe(0);
    },
  );

  it.skipIf(!chromium)(
    "a Chromium that dies is a failed render, and the next render launches a new one",
    { timeout: 60_000 },
    async () => {
      const base = await serve(page);
      const renderer = new BrowserRenderer({ http: HTTP });
      try {
        expect(await renderer.render(`${base}/`)).toMatchObject({ ok: true });
        // Crash Chromium behind playwright's back (as the OOM killer would).
        const browser = await (renderer as unknown as { browser: Promise<Browser> }).browser;
        const cdp = await browser.newBrowserCDPSession();
        await cdp.send("Browser.crash" as "Browser.close").catch(() => undefined);
        for (let i = 0; i < 100 && browser.isConnected(); i++) await new Promise((r) => setTimeout(r, 50));
        expect(browser.isConnected()).toBe(false);
        // Never a thrown error: at worst one failed render, then a new browser.
        const afterCrash = await renderer.render(`${base}/`);
        const next = afterCrash.ok ? afterCrash : await renderer.render(`${base}/`);
        expect(next).toMatchObject({ ok: true, html: expect.stringContaining("<p>hi</p>") });
      } finally {
        await renderer.close();
      }
    },
  );

  it.skipIf(!chromium)(
    "sends a URL's basic-auth credentials to its own origin only, never to another that challenges",
    { timeout: 60_000 },
    async () => {
      const thirdPartySaw: string[] = [];
      const third = await serve((req, res) => {
        if (!req.headers.authorization) {
          res.writeHead(401, { "www-authenticate": 'Basic realm="x"' }).end();
          return;
        }
        thirdPartySaw.push(Buffer.from(req.headers.authorization.split(" ")[1]!, "base64").toString());
        res.writeHead(200, { "content-type": "text/html" }).end("<p>pixel</p>");
      });
      const toteSaw: string[] = [];
      const tote = await serve((req, res) => {
        if (!req.headers.authorization) {
          res.writeHead(401, { "www-authenticate": 'Basic realm="tote"' }).end();
          return;
        }
        toteSaw.push(Buffer.from(req.headers.authorization.split(" ")[1]!, "base64").toString());
        res
          .writeHead(200, { "content-type": "text/html" })
          .end(`<table id="t"></table><iframe src="${third}/frame"></iframe>`);
      });
      const renderer = new BrowserRenderer({ http: { ...HTTP, timeoutMs: 3000 } });
      try {
        // The other origin's challenge goes unanswered (the frame never loads, so the render may
        // time out); what matters is that the password never left for that origin.
        await renderer.render(tote.replace("http://", "http://tote:s3cret@") + "/win/1", "#t");
        expect(toteSaw).toContain("tote:s3cret");
        expect(thirdPartySaw).toEqual([]);
      } finally {
        await renderer.close();
      }
    },
  );
});
