import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { DriverAdapterError } from "@prisma/driver-adapter-utils";
import type { SqlDriverAdapter, SqlQuery } from "@prisma/driver-adapter-utils";

/**
 * The adapter factory the Prisma CLI uses to run `migrate` on its WASM
 * schema engine (Prisma 6.19 on its Rust-free path has no native one):
 * - the engine sends whole migration scripts through `executeRaw`, which
 *   better-sqlite3 can only `prepare` one statement at a time, so
 *   parameterless calls go to `executeScript` (`exec`) instead;
 * - raw SQLite errors become DriverAdapterErrors, so the CLI shows the
 *   real message instead of "External error id#0".
 */
export class MigrationAdapterFactory extends PrismaBetterSQLite3 {
  override async connect(): Promise<SqlDriverAdapter> {
    return patchForMigrations(await super.connect());
  }

  override async connectToShadowDb(): Promise<SqlDriverAdapter> {
    return patchForMigrations(await super.connectToShadowDb());
  }
}

function patchForMigrations(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const executeRaw = adapter.executeRaw.bind(adapter);
  const executeScript = adapter.executeScript.bind(adapter);
  adapter.executeRaw = async (query: SqlQuery) => {
    if (query.args.length === 0) {
      await withDriverErrors(() => executeScript(query.sql));
      return 0;
    }
    return withDriverErrors(() => executeRaw(query));
  };
  adapter.executeScript = (script: string) => withDriverErrors(() => executeScript(script));
  return adapter;
}

async function withDriverErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof DriverAdapterError) throw error;
    const sqliteError = error as { code?: unknown; message?: unknown };
    throw new DriverAdapterError({
      kind: "sqlite",
      extendedCode: 1,
      message: `${String(sqliteError.code ?? "SQLITE_ERROR")}: ${String(sqliteError.message ?? error)}`,
    });
  }
}
