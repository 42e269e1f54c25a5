// The errors a helper throws before it writes anything (nothing is half-written):
// callers tell bad input from a card that has not arrived yet by class.
/** A message names a race that has no card in the database yet. */
export class UnknownRaceError extends Error {
  override name = "UnknownRaceError";
  constructor(readonly race: { track: string; raceDate: string; raceNumber: number }) {
    super(`no card for ${race.track} ${race.raceDate} race ${race.raceNumber}: apply its card first`);
  }
}

/** A message names a program number that the race's card does not list. */
export class UnknownRunnerError extends Error {
  override name = "UnknownRunnerError";
  constructor(
    readonly race: { track: string; raceDate: string; raceNumber: number },
    readonly programNumber: string,
  ) {
    super(
      `program number "${programNumber}" is not on the card of ${race.track} ${race.raceDate} race ${race.raceNumber}`,
    );
  }
}

/** Input that a helper refuses before writing anything. */
export class InvalidInputError extends Error {
  override name = "InvalidInputError";
}

/**
 * A database file that cannot be used, said in one line naming the file and why
 * ("/data/x.db is not a SQLite database (file is not a database)"). Thrown before
 * anything is written; commands print the message alone, without a stack.
 */
export class DatabaseFileError extends Error {
  override name = "DatabaseFileError";
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file} ${reason}`);
  }
}

/**
 * The migrations cannot bring the database up to date (an interrupted migration whose
 * changes are partly in the file, a migration that fails): one line, naming the file,
 * the migration and what to do. Nothing of the failed migration is left in the file.
 */
export class MigrationError extends Error {
  override name = "MigrationError";
  constructor(
    readonly file: string,
    readonly migration: string,
    detail: string,
  ) {
    super(`${file}: migration ${migration} ${detail}`);
  }
}

/**
 * Why a failed query may go through if tried again, or null when it would fail the same way:
 * "locked" (SQLite: another process holds the write lock past the busy timeout) or "unreachable"
 * (PostgreSQL: the server is restarting, refused or dropped the connection, is out of
 * connections, or cancelled a transaction that met another: a serialization failure or deadlock).
 * Looked for anywhere in the cause chain. Callers that keep what they hold and retry (the poller,
 * the daily prune) ask this instead of knowing each engine's codes.
 */
export function retriableDatabaseError(error: unknown): "locked" | "unreachable" | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === "string") {
      if (/^SQLITE_(BUSY|LOCKED)/.test(code)) return "locked";
      // SQLSTATE class 08 (connection), 57P01-03 (shutdown, cannot connect now), 53300 (too many
      // connections), 40001/40P01 (serialization failure, deadlock); node's socket errors.
      if (/^(08...|57P0[123]|53300|40001|40P01)$/.test(code)) return "unreachable";
      if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN)$/.test(code))
        return "unreachable";
    }
    if (typeof message === "string") {
      if (/database (table )?is locked|SQLITE_BUSY/i.test(message)) return "locked";
      if (/Connection terminated|connection timeout|Client has encountered a connection error/i.test(message))
        return "unreachable";
    }
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}
