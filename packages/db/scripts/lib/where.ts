import { databasePathFromUrl, defaultDatabasePath } from "../../src/index.js";

/** The database file scripts use, and where that choice came from, in plain words. */
export function databaseChoice(): { file: string; source: string } {
  const url = process.env.DATABASE_URL;
  const file = databasePathFromUrl(url);
  const source =
    url && url.trim() !== ""
      ? `from DATABASE_URL=${url}`
      : file === defaultDatabasePath
        ? "the default; set DATABASE_URL to use another file"
        : "";
  return { file, source };
}

/** cli-table3 colours only on a terminal, so piped output stays plain text. */
export function plainUnlessTty(): { head: string[]; border: string[] } | undefined {
  return process.stdout.isTTY ? undefined : { head: [], border: [] };
}
