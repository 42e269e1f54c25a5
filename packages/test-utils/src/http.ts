/**
 * A real HTTP server on 127.0.0.1 whose routes a test sets (feed endpoints,
 * receivers), recording every request path; `json(body)` is the common route.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface TestServer {
  url: string;
  /** path (without query, percent-decoded) -> handler; replace freely during a test. Others get 404. */
  routes: Map<string, Route>;
  /** Every request path, in arrival order. */
  requests: string[];
  /** Stops the server, dropping open connections (a route that never answers included). */
  close(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const routes = new Map<string, Route>();
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? "/").split("?")[0]!);
    requests.push(path);
    const route = routes.get(path);
    if (!route) {
      res.writeHead(404).end("not found");
      return;
    }
    route(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    routes,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hanging routes never answer: drop their connections so close() returns.
        server.closeAllConnections();
      }),
  };
}

/** A route answering 200 with `body` as JSON. */
export const json =
  (body: unknown): Route =>
  (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
  };
