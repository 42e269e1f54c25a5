/**
 * `dashboard:` in totewatch.yaml: where the read-only web dashboard listens
 * and the token it asks for. Loopback by default; the app refuses a host
 * other than loopback without a token (the odds and alerts are the user's),
 * which it checks at start after --host, so the rule lives there, not here.
 */
import { z } from "zod";
import { section } from "./helpers.js";

/** A token shorter than this is too easy to guess for a page reachable from a network. */
export const MIN_DASHBOARD_TOKEN_LENGTH = 16;

export const dashboardSchema = section({
  host: z.string().trim().min(1, "must not be empty").default("127.0.0.1"),
  port: z.int().min(0).max(65_535).default(8080),
  /** Asked of every page and API request when set (Bearer header or the login cookie); from the environment: `${DASHBOARD_TOKEN}`. */
  token: z
    .string()
    .min(
      MIN_DASHBOARD_TOKEN_LENGTH,
      `must be at least ${MIN_DASHBOARD_TOKEN_LENGTH} characters (e.g. \`openssl rand -hex 16\`)`,
    )
    .refine((token) => !/[\s;,]/.test(token), "must not contain spaces, commas or semicolons")
    .optional(),
});
