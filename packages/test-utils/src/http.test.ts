import { afterEach, describe, expect, it } from "vitest";
import { json, startTestServer, type TestServer } from "./http.js";

describe("startTestServer", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("answers from its routes by decoded path, 404 otherwise, and records every path", async () => {
    server = await startTestServer();
    server.routes.set("/Belmont Park/win", json({ ok: true }));

    const found = await fetch(`${server.url}/Belmont%20Park/win?race=3`);
    expect(found.status).toBe(200);
    expect(found.headers.get("content-type")).toBe("application/json");
    expect(await found.json()).toEqual({ ok: true });

    const missing = await fetch(`${server.url}/nowhere`);
    expect(missing.status).toBe(404);
    await missing.text();

    expect(server.requests).toEqual(["/Belmont Park/win", "/nowhere"]);
  });

  it("closes even while a route never answers", async () => {
    server = await startTestServer();
    let arrived!: () => void;
    const hanging = new Promise<void>((resolve) => (arrived = resolve));
    server.routes.set("/hang", () => arrived());

    const request = fetch(`${server.url}/hang`);
    await hanging;
    await server.close();
    server = undefined;
    await expect(request).rejects.toThrow();
  });
});
