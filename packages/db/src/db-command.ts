/**
 * The commands a message suggests, spelled for one database file.
 * Invariant: every suggested command names the file it is about (`--db`, or
 * DATABASE_URL for Prisma's CLI), quoted for a POSIX shell when it needs to
 * be: without it the command acts on the default database (or the one
 * DATABASE_URL or totewatch.yaml names), and `db:reset` there would wipe a
 * database that was never the broken one.
 */

/** `word` as one POSIX shell word: as it is when it holds nothing the shell reads specially. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** "`pnpm db:migrate --db /tmp/x.db`": a db script run on `file`, in backticks. */
export function dbCommand(script: "db:migrate" | "db:reset", file: string): string {
  return `\`pnpm ${script} --db ${shellWord(file)}\``;
}

/** What to do about an interrupted migration the schema cannot judge: Prisma's `migrate resolve`, on `file`. */
export function resolveHint(file: string, migration: string): string {
  const resolve = (flag: string) =>
    // Only the value is quoted: a quoted `NAME=value` is a command name to the shell, not a setting.
    `\`DATABASE_URL=${shellWord(`file:${file}`)} prisma migrate resolve ${flag} ${migration}\``;
  return (
    `check its data, then ${resolve("--applied")} if it ran whole, ` +
    `or ${resolve("--rolled-back")} if it changed nothing`
  );
}
