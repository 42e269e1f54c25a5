/**
 * The API as the pages call it: one typed function per endpoint, and one
 * error type that carries the HTTP status and the server's message so a page
 * can say "Race 9999 not found" instead of a stack trace.
 */
import type {
  AlertsResponse,
  ExactaResponse,
  RaceDayResponse,
  RaceHistoryResponse,
  RaceResponse,
} from "../api/types.js";

export class ApiError extends Error {
  constructor(
    /** HTTP status, or 0 when the request never got an answer. */
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The server's own words from an error body ({ error } or { message }), if it sent any. */
async function errorMessage(response: Response): Promise<string> {
  const fallback = `${response.status} ${response.statusText || "error"}`.trim();
  try {
    const body: unknown = await response.json();
    if (body && typeof body === "object") {
      const record = body as Record<string, unknown>;
      for (const key of ["error", "message"]) {
        const value = record[key];
        if (typeof value === "string" && value) return value;
        if (
          value &&
          typeof value === "object" &&
          typeof (value as { message?: unknown }).message === "string"
        ) {
          return (value as { message: string }).message;
        }
      }
    }
  } catch {
    // Not JSON (a proxy's HTML page, say): the status line is all there is.
  }
  return fallback;
}

async function getJson<T>(path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { accept: "application/json" }, cache: "no-store" });
  } catch {
    throw new ApiError(0, "The dashboard server did not answer (network error).");
  }
  if (!response.ok) throw new ApiError(response.status, await errorMessage(response));
  try {
    return (await response.json()) as T;
  } catch {
    throw new ApiError(response.status, "The server's answer was not valid JSON.");
  }
}

/** "?a=1&b=2" from the non-empty values, or "" when there are none. */
export function queryString(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export function fetchRaceDay(date: string | null): Promise<RaceDayResponse> {
  return getJson(`/api/races${queryString({ date })}`);
}

export function fetchRace(raceId: string): Promise<RaceResponse> {
  return getJson(`/api/races/${encodeURIComponent(raceId)}`);
}

export function fetchHistory(raceId: string): Promise<RaceHistoryResponse> {
  return getJson(`/api/races/${encodeURIComponent(raceId)}/history`);
}

export function fetchExacta(raceId: string): Promise<ExactaResponse> {
  return getJson(`/api/races/${encodeURIComponent(raceId)}/exacta`);
}

export interface AlertsQuery {
  date?: string | null;
  track?: string | null;
  type?: string | null;
  state?: string | null;
  race?: string | null;
  before?: string | null;
  limit?: number | null;
}

export function fetchAlerts(query: AlertsQuery): Promise<AlertsResponse> {
  return getJson(`/api/alerts${queryString({ ...query })}`);
}

/** A failure as one sentence for the page. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
