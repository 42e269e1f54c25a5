/**
 * The JSON the dashboard's API answers with: what its own pages read and what
 * anyone may script against (documented in the app's README). Shared by the
 * server (src/api) and the browser code (src/client), so both change together.
 *
 * Conventions: instants are ISO-8601 UTC strings inside objects, and epoch
 * milliseconds in the column arrays of a history (compact, and what a chart
 * wants); odds are odds-to-1 numbers (5-2 is 2.5) with `oddsText` as the
 * track's board shows them ("5-2", or "3.50" on a decimal tote); money is in
 * the pool's currency units; every text from the feed is data, never markup.
 */

/** How a track's board quotes odds and money (config tracks[].oddsFormat / dividendUnit / currency). */
export interface OddsDisplay {
  oddsFormat: "odds_to_one" | "decimal";
  dividendUnit: number;
  /** The money pools and payouts are in (ISO 4217, config tracks[].currency; default USD). */
  currency: string;
}

/** A race as the day page lists it. */
export interface RaceRow {
  raceId: number;
  track: string;
  trackCode: string | null;
  /** IANA zone of the track: post times are shown on its clock. */
  timezone: string;
  raceDate: string;
  raceNumber: number;
  postTime: string | null;
  /** When the race went off (null: not known, or not yet). */
  offAt: string | null;
  status: string;
  runners: number;
  scratched: number;
  /** The newest win board's time. */
  lastBoardAt: string | null;
  totalWinPool: number | null;
  totalExactaPool: number | null;
  favourite: { programNumber: string; horse: string; winOdds: number; oddsText: string } | null;
  alerts: number;
  display: OddsDisplay;
}

/** GET /api/races?date=YYYY-MM-DD */
export interface RaceDayResponse {
  /** The date shown: the one asked for, else the newest date with races on or before today, else today. */
  date: string;
  /** Dates with races, newest first (at most 60): for browsing past days. */
  dates: string[];
  races: RaceRow[];
}

/** A runner's odds some minutes before the newest board. */
export interface EarlierOdds {
  minutesAgo: number;
  fetchedAt: string | null;
  winOdds: number | null;
  oddsText: string | null;
}

/** An alert mark on a board row or a chart. */
export interface AlertMark {
  alertId: number;
  alertType: string;
  triggeredAt: string;
  /** Program number or "1-2" the alert is about. */
  subject: string | null;
}

export interface BoardRunner {
  entryId: number;
  programNumber: string;
  /** The betting interest ("1" for 1, 1A and 1X): rows sharing one are a coupled entry. */
  interest: string;
  horse: string;
  jockey: string | null;
  trainer: string | null;
  morningLine: number | null;
  morningLineText: string | null;
  scratched: boolean;
  scratchedAt: string | null;
  fetchedAt: string | null;
  winOdds: number | null;
  oddsText: string | null;
  earlier: EarlierOdds[];
  /** Percent change of decimal odds from the oldest earlier odds there are (15, else 5 minutes ago) to now (negative: backed in). */
  movePercent: number | null;
  /** Win probability of the runner's interest, from pool shares where every interest has an amount, else odds. */
  probability: number | null;
  poolAmount: number | null;
  /** Share of the win pool (poolAmount / total). */
  poolShare: number | null;
  /** Alerts raised on this runner (or its interest) in this race. */
  alerts: AlertMark[];
}

/** GET /api/races/:id — the card and the newest board. */
export interface RaceResponse {
  race: RaceRow;
  board: {
    fetchedAt: string | null;
    totalWinPool: number | null;
    probabilitySource: "pool" | "odds" | null;
    runners: BoardRunner[];
  };
}

/** GET /api/races/:id/history — every stored board of the race, column-oriented. */
export interface RaceHistoryResponse {
  raceId: number;
  postTime: string | null;
  offAt: string | null;
  /** One per runner, in program order; `values` arrays follow this order. */
  runners: Array<{ entryId: number; programNumber: string; horse: string; scratched: boolean }>;
  /** Board instants, epoch ms, ascending. */
  times: number[];
  /** odds[r][t]: runner r's odds-to-1 at times[t] (null: not on that board). */
  odds: Array<Array<number | null>>;
  /** pool[r][t]: runner r's win pool amount at times[t]. */
  pool: Array<Array<number | null>>;
  /** totalPool[t]: the win pool total at times[t]. */
  totalPool: Array<number | null>;
  alerts: AlertMark[];
  display: OddsDisplay;
}

/** GET /api/races/:id/exacta — the newest probables against Harville on the win pool. */
export interface ExactaResponse {
  raceId: number;
  fetchedAt: string | null;
  totalExactaPool: number | null;
  /** The win board the fair prices come from. */
  winFetchedAt: string | null;
  probabilitySource: "pool" | "odds" | null;
  takeout: number;
  /** Interests in program order: rows (first) and columns (second) of the grid. */
  interests: Array<{ key: string; label: string; probability: number }>;
  /** One per ordered pair of different interests. */
  cells: Array<{
    first: string;
    second: string;
    payout: number | null;
    fair: number | null;
    /** (payout - fair) / fair * 100: positive is an overlay. */
    percent: number | null;
    /** Alerts raised on this combination in this race (subject "1-2"). */
    alerts: AlertMark[];
  }>;
}

export type DeliveryState = "delivered" | "pending" | "failing" | "none";

/** An alert in the log. */
export interface AlertRow {
  alertId: number;
  triggeredAt: string;
  alertType: string;
  subject: string | null;
  message: string;
  strength: number | null;
  race: { raceId: number; track: string; raceDate: string; raceNumber: number; timezone: string } | null;
  runner: { programNumber: string; horse: string } | null;
  delivery: DeliveryState;
  deliveries: Array<{
    channel: string;
    attempts: number;
    lastError: string | null;
    deliveredAt: string | null;
    nextAttemptAt: string | null;
  }>;
}

/** GET /api/alerts?date=&track=&type=&state=&race=&limit=&before= */
export interface AlertsResponse {
  alerts: AlertRow[];
  /** Values for the filter menus (for the date asked, or all). */
  types: string[];
  tracks: string[];
  /** Pass as `before` for the next page; null on the last. */
  nextBefore: number | null;
}

/** GET /api/events: the data of each `change` event (its id is the change marks, for Last-Event-ID). */
export interface ChangeEvent {
  /** Races with a new board, exacta grid, alert, status or card change. */
  raceIds: number[];
  /** New alerts or a delivery attempt. */
  alerts: boolean;
  /** Too much changed to list (or the page's marks are from another file): reload everything shown. */
  all: boolean;
  /** Server time of the event (ISO). */
  at: string;
}

/** GET /healthz */
export interface HealthResponse {
  ok: true;
  database: string;
}
