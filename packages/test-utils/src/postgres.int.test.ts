// The throwaway PostgreSQL cluster the PostgreSQL tests will run on (scripts/postgres-cluster.sh):
// it starts, answers on 127.0.0.1 only, and is gone after stop(). Skipped, saying so, only on a
// machine without Debian's postgresql (.ci/run installs it).
import pg from "pg";
import { describe, expect, it } from "vitest";
import { postgresAvailable, startPostgresCluster } from "./postgres.js";

const available = postgresAvailable();
if (!available) {
  console.warn("postgres.int.test.ts: PostgreSQL is not installed (apt-get install postgresql): skipped");
}

describe.skipIf(!available)("a throwaway PostgreSQL cluster", () => {
  it("starts on 127.0.0.1 without durability, answers SQL, and stops by its PID", async () => {
    const cluster = await startPostgresCluster();
    let stopped = false;
    try {
      expect(cluster.url).toBe(`postgresql://postgres@127.0.0.1:${cluster.port}/postgres`);
      const client = new pg.Client({ connectionString: cluster.url });
      await client.connect();
      const settings = await client.query<{ name: string; setting: string }>(
        `SELECT name, setting FROM pg_settings WHERE name IN ('listen_addresses', 'fsync', 'server_encoding')
         ORDER BY name`,
      );
      expect(settings.rows).toEqual([
        { name: "fsync", setting: "off" },
        { name: "listen_addresses", setting: "127.0.0.1" },
        { name: "server_encoding", setting: "UTF8" },
      ]);
      // 2 + 3 = 5, computed by the server.
      expect((await client.query<{ n: number }>("SELECT 2 + 3 AS n")).rows[0]?.n).toBe(5);
      await client.end();
      await cluster.stop();
      stopped = true;
      // The postmaster is gone (signal 0 probes it) and nothing answers on the port.
      expect(() => process.kill(cluster.pid, 0)).toThrow();
      const late = new pg.Client({ connectionString: cluster.url, connectionTimeoutMillis: 2000 });
      await expect(late.connect()).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      if (!stopped) await cluster.stop();
    }
  }, 60_000);
});
