/**
 * Betting interests (a coupled entry 1, 1A, 1X is one interest) and their win probabilities live
 * in @totewatch/tote (interests.ts), shared with whatever else shows a board; this names them for
 * the rules, with Interest over the rules' runners.
 */
import type { Interest as ToteInterest } from "@totewatch/tote";
import type { RunnerOdds } from "./types.js";

export {
  interestKeyOf,
  interestsByKey,
  interestsOf,
  poolAmountsOf,
  sharesOfAmounts,
  sharesOfOdds,
  winProbabilities,
  type InterestProbabilities,
  type ProbabilitySource,
} from "@totewatch/tote";

/** One betting interest on one win board of the rules. */
export type Interest = ToteInterest<RunnerOdds>;
