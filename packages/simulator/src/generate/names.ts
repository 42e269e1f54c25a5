/** Built-in tracks and the word lists simulated horses, jockeys and trainers are named from. */

import type { Random } from "./random.js";

export interface TrackSpec {
  name: string;
  code: string;
  /** IANA zone of the track's local calendar and post times. */
  timezone: string;
}

/** Real US (and one Canadian) tracks; a simulation with `tracks: n` uses the first n. */
export const BUILT_IN_TRACKS: readonly TrackSpec[] = [
  { name: "Belmont Park", code: "BEL", timezone: "America/New_York" },
  { name: "Santa Anita Park", code: "SA", timezone: "America/Los_Angeles" },
  { name: "Churchill Downs", code: "CD", timezone: "America/Kentucky/Louisville" },
  { name: "Gulfstream Park", code: "GP", timezone: "America/New_York" },
  { name: "Keeneland", code: "KEE", timezone: "America/New_York" },
  { name: "Del Mar", code: "DMR", timezone: "America/Los_Angeles" },
  { name: "Saratoga", code: "SAR", timezone: "America/New_York" },
  { name: "Aqueduct", code: "AQU", timezone: "America/New_York" },
  { name: "Oaklawn Park", code: "OP", timezone: "America/Chicago" },
  { name: "Fair Grounds", code: "FG", timezone: "America/Chicago" },
  { name: "Pimlico", code: "PIM", timezone: "America/New_York" },
  { name: "Monmouth Park", code: "MTH", timezone: "America/New_York" },
  { name: "Woodbine", code: "WO", timezone: "America/Toronto" },
  { name: "Lone Star Park", code: "LS", timezone: "America/Chicago" },
  { name: "Turf Paradise", code: "TUP", timezone: "America/Phoenix" },
  { name: "Emerald Downs", code: "EMD", timezone: "America/Los_Angeles" },
];

const HORSE_FIRST = [
  "Midnight",
  "Golden",
  "Silver",
  "Royal",
  "Wild",
  "Lucky",
  "Thunder",
  "Crimson",
  "Storm",
  "Desert",
  "Iron",
  "Velvet",
  "Shadow",
  "Copper",
  "Rocket",
  "Brave",
  "Noble",
  "Silent",
  "Blazing",
  "Frosty",
  "Secret",
  "Mighty",
  "Dancing",
  "Rebel",
  "Sunny",
  "Winter",
  "Northern",
  "Southern",
  "Hidden",
  "Candy",
  "Bold",
  "Magic",
  "Gallant",
  "Rapid",
  "Sweet",
  "Smoky",
  "Dusty",
  "Scarlet",
  "Cosmic",
  "Quiet",
  "Proud",
  "Ocean",
  "Prairie",
  "Tiger",
  "Jazz",
  "Lone",
  "Cajun",
  "Majestic",
  "Empire",
  "Harbor",
  "Sly",
  "Sterling",
  "Timber",
  "Canyon",
  "Maple",
  "Ruby",
  "Lady",
  "Captain",
  "Saint",
  "Uncle",
];

const HORSE_SECOND = [
  "Thunder",
  "Dancer",
  "Legend",
  "Spirit",
  "Runner",
  "Promise",
  "Echo",
  "Empire",
  "Flame",
  "Arrow",
  "Dream",
  "Comet",
  "Warrior",
  "Melody",
  "Fortune",
  "Rascal",
  "Jewel",
  "Knight",
  "Breeze",
  "Storm",
  "Maverick",
  "Outlaw",
  "Whisper",
  "Charm",
  "Rhythm",
  "Crown",
  "Bandit",
  "Voyage",
  "Gambler",
  "Tempo",
  "Harmony",
  "Legacy",
  "Ranger",
  "Rocket",
  "Sky",
  "Trail",
  "Rumor",
  "Glory",
  "Falcon",
  "Quest",
  "Mischief",
  "Canyon",
  "Squall",
  "Ransom",
  "Tiger",
  "Sonnet",
  "Magic",
  "Mirage",
  "Pursuit",
  "Ace",
  "Tycoon",
  "Verdict",
  "Riddle",
  "Bayou",
  "Cadet",
  "Drifter",
  "Kitten",
  "Dynasty",
  "Nugget",
  "Ember",
];

const OWNER_NAMES = [
  "Mama",
  "Papa",
  "Ruby",
  "Annie",
  "Charlie",
  "Ginny",
  "Frankie",
  "Max",
  "Lulu",
  "Sadie",
  "Hank",
  "Dixie",
  "Winnie",
  "Teddy",
  "Rosie",
  "Bobby",
  "Gracie",
  "Louie",
  "Molly",
  "Ollie",
];

const PERSON_INITIALS = "ABCDEFGHJKLMNPRSTVW".split("");

const JOCKEY_SURNAMES = [
  "Alvarado",
  "Baeza",
  "Carmona",
  "Diaz",
  "Espinoza",
  "Franco",
  "Galvan",
  "Hernandez",
  "Ibarra",
  "Jaramillo",
  "Kimura",
  "Lozano",
  "Maldonado",
  "Navarro",
  "Ocampo",
  "Perez",
  "Quinonez",
  "Rosario",
  "Santana",
  "Torres",
  "Urbina",
  "Vargas",
  "Whitley",
  "Zamora",
  "Bravo",
  "Cruz",
  "Delgado",
  "Estrada",
  "Flores",
  "Gonzalez",
];

const TRAINER_SURNAMES = [
  "Abbott",
  "Brennan",
  "Callahan",
  "Dawson",
  "Ellison",
  "Fairbanks",
  "Garrity",
  "Holloway",
  "Ingram",
  "Jessup",
  "Kendrick",
  "Lockhart",
  "McAllister",
  "Norwood",
  "Oakley",
  "Prescott",
  "Quigley",
  "Radcliffe",
  "Sheridan",
  "Tolliver",
  "Underwood",
  "Vance",
  "Whitaker",
  "Yardley",
  "Ashford",
  "Beaumont",
  "Cartwright",
  "Delaney",
  "Easton",
  "Fitzgerald",
];

/** Jockey Club names are at most 18 characters, spaces and apostrophes included. */
const MAX_HORSE_NAME_LENGTH = 18;

function candidateHorseName(random: Random): string {
  if (random.chance(0.15)) return `${random.pick(OWNER_NAMES)}'s ${random.pick(HORSE_SECOND)}`;
  return `${random.pick(HORSE_FIRST)} ${random.pick(HORSE_SECOND)}`;
}

/** Draws horse names that are unique across everything this namer has handed out. */
export class HorseNamer {
  private readonly used = new Set<string>();

  constructor(private readonly random: Random) {}

  next(): string {
    for (let attempt = 0; attempt < 40; attempt++) {
      const name = candidateHorseName(this.random);
      const [first, second] = name.split(" ");
      if (name.length > MAX_HORSE_NAME_LENGTH || first === second || this.used.has(name)) continue;
      this.used.add(name);
      return name;
    }
    // Word combinations run out only on very large days; a numeral keeps names unique.
    for (let numeral = 2; ; numeral++) {
      const name = `${candidateHorseName(this.random)} ${numeral}`;
      if (!this.used.has(name)) {
        this.used.add(name);
        return name;
      }
    }
  }
}

function personNames(random: Random, surnames: readonly string[], count: number): string[] {
  return random
    .shuffled(surnames)
    .slice(0, count)
    .map((surname) => `${random.pick(PERSON_INITIALS)}. ${surname}`);
}

/** A track's riders: enough that a full field never needs the same jockey twice. */
export function jockeyColony(random: Random, count: number): string[] {
  return personNames(random, JOCKEY_SURNAMES, Math.min(count, JOCKEY_SURNAMES.length));
}

export function trainerRoster(random: Random, count: number): string[] {
  return personNames(random, TRAINER_SURNAMES, Math.min(count, TRAINER_SURNAMES.length));
}
