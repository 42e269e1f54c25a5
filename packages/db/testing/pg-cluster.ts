/**
 * A throwaway PostgreSQL cluster on 127.0.0.1 for tests and benches (issue 12), made and
 * stopped by the repository's scripts/postgres-cluster.sh: initdb in a temporary folder, a free
 * port, fsync off; stopped by its PID and the folder removed. Tests reach it through
 * @totewatch/test-utils, benches through @totewatch/db/testing.
 *
 * Invariants: the server listens on 127.0.0.1 only and trusts local connections (a test
 * cluster, never a user's data); a cluster started is stopped and its folder removed by `stop()`
 * or, if the process ends first (a second Ctrl-C calls process.exit), synchronously on `exit`.
 */
import { execFile, execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const SCRIPT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "scripts",
  "postgres-cluster.sh",
);

export interface PostgresCluster {
  /** `postgresql://postgres@127.0.0.1:PORT/postgres` */
  url: string;
  port: number;
  /** The postmaster's PID. */
  pid: number;
  /** The same server, another database (migrateDatabase makes it when missing). */
  databaseUrl(name: string): string;
  stop(): Promise<void>;
}

/** True when Debian's PostgreSQL server binaries are installed (/usr/lib/postgresql/<major>/bin/initdb). */
export function postgresAvailable(): boolean {
  const root = "/usr/lib/postgresql";
  return (
    existsSync(root) && readdirSync(root).some((major) => existsSync(path.join(root, major, "bin", "initdb")))
  );
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const parent = mkdtempSync(path.join(os.tmpdir(), "totewatch-pg-"));
  // As root the cluster runs as the postgres user, who must reach the folder.
  chmodSync(parent, 0o755);
  const dir = path.join(parent, "cluster");
  let stopped = false;
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    process.off("exit", stopNow);
    try {
      execFileSync("bash", [SCRIPT, "stop", dir], { stdio: "ignore" });
    } catch {
      // Nothing more can be done while the process exits.
    }
    rmSync(parent, { recursive: true, force: true });
  };
  process.on("exit", stopNow);
  try {
    const port = await freePort();
    const { stdout } = await run("bash", [SCRIPT, "start", dir, String(port)]);
    const url = stdout.trim().split("\n").at(-1)!;
    const pid = Number(readFileSync(path.join(dir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
    return {
      url,
      port,
      pid,
      databaseUrl: (name) => url.replace(/\/[^/]*$/, `/${name}`),
      async stop() {
        if (stopped) return;
        stopped = true;
        process.off("exit", stopNow);
        try {
          await run("bash", [SCRIPT, "stop", dir]);
        } finally {
          rmSync(parent, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    stopNow();
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`postgres cluster did not start: ${stderr.trim() || (error as Error).message}`);
  }
}
