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
