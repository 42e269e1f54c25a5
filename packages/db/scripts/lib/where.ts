/**
 * The database a db script uses: the one @totewatch/config's loadConfig picks
 * (DATABASE_URL, else totewatch.yaml's database.url, else the default file),
 * so scripts, apps and the Prisma CLI (prisma.config.ts) agree, and no script
 * reads the environment itself.
 */
import { ConfigError, loadConfig, type LoadedConfig } from "@totewatch/config";
import { databasePathFromUrl } from "../../src/database-url.js";

export interface ScriptSetup {
  config: LoadedConfig;
  /** The database's url, as createDb and migrateDatabase take it. */
  url: string;
  file: string;
  /** Where that choice came from, in plain words. */
  source: string;
}

/** The loaded config and its database; null (after printing why) when totewatch.yaml is invalid. */
export function scriptSetup(): ScriptSetup | null {
  let config: LoadedConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return null;
  }
  const { url, urlFrom } = config.database;
  const source = {
    option: "from the command line",
    DATABASE_URL: "from DATABASE_URL",
    "config file": `from database.url in ${config.source ?? "the config file"}`,
    default: "the default; set database.url in totewatch.yaml or DATABASE_URL to use another file",
  }[urlFrom];
  return { config, url, file: databasePathFromUrl(url), source };
}
