/** The exit codes every Totewatch command uses. */
export const EXIT = {
  ok: 0,
  /** The work failed, or `--strict` found invalid input. */
  failed: 1,
  /** Bad arguments or configuration: nothing was done. */
  usage: 2,
  /** Stopped at once by a second signal (128 + SIGINT). */
  interrupted: 130,
} as const;
