/** Database clients a test opens, closed after each test however it ends. */
import { createDb, type Db } from "@totewatch/db";
import { afterEach } from "vitest";

/**
 * Call at the top of a test file: returns `client(file)`, a createDb whose
 * clients are all closed after each test (so a failed test leaves no open file).
 */
export function closedAfterEach(): (file: string) => Db {
  const open: Db[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((db) => db.close()));
  });
  return (file) => {
    const db = createDb({ url: file });
    open.push(db);
    return db;
  };
}
