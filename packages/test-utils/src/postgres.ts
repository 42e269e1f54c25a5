/**
 * A throwaway PostgreSQL cluster on 127.0.0.1 for tests (issue 12), made and
 * stopped by scripts/postgres-cluster.sh: initdb in a temporary folder, a free
 * port, fsync off; stopped by its PID and the folder removed.
 *
 * Invariants: the server listens on 127.0.0.1 only and trusts local
 * connections (a test cluster, never a user's data); every cluster started is
 * stopped by `stop()`, which the caller registers in its afterAll.
 */
import { execFile } from "node:child_process";
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
  stop(): Promise<void>;
}

/** True when Debian's PostgreSQL server binaries are installed (.ci/run installs them). */
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
  const port = await freePort();
  try {
    const { stdout } = await run("bash", [SCRIPT, "start", dir, String(port)]);
    const url = stdout.trim().split("\n").at(-1)!;
    const pid = Number(readFileSync(path.join(dir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
    return {
      url,
      port,
      pid,
      async stop() {
        await run("bash", [SCRIPT, "stop", dir]);
        rmSync(parent, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await run("bash", [SCRIPT, "stop", dir]).catch(() => undefined);
    rmSync(parent, { recursive: true, force: true });
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`postgres cluster did not start: ${stderr.trim() || (error as Error).message}`);
  }
}
