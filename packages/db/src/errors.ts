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
