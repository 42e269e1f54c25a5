/**
 * The environment a Totewatch command's own node process starts with (the `totewatch`
 * dispatcher's children, the live demo's parts, and the benches that measure them). Memory
 * settings measured on the nationwide day (issue 12: every process <= 300 MB), replaying it alone:
 * - MALLOC_ARENA_MAX=2: glibc gives each thread that allocates (V8's collector and compiler
 *   threads, libuv's pool) an arena of its own and keeps what it grew to: 30 to 60 MB of RSS.
 * - --max-semi-space-size=4 (MB; node's default 16): the young generation is 12 MB instead of
 *   48, and the heap's peak about 70 MB instead of 100 to 200 (more when the collector's threads
 *   get little CPU), for a few percent more collections.
 * Peak RSS of `ingest replay` on that day: 262 to 367 MB without them, 211 to 217 with them.
 * A value the user set wins: their MALLOC_ARENA_MAX, their own --max-semi-space-size.
 * NODE_PROCESS_FLAGS go on the same processes' command lines.
 */
const ARENAS = "2";
const SEMI_SPACE_FLAG = "--max-semi-space-size";
const SEMI_SPACE_MB = 4;

/**
 * The node flags a Totewatch command's own process starts with, beside nodeProcessEnv's settings.
 * --heap-growing-percent=50: after a full collection the heap may grow by half of what survived
 * before the next one. V8 otherwise picks up to 4x when collections look cheap, and a replay's
 * heap then reached 180 MB, mostly garbage, over a live 60 MB: peak RSS of the same day's replay
 * 220 to 361 MB between runs; with the flag, 199 to 201 MB in six runs, as fast. Node refuses
 * this V8 flag in NODE_OPTIONS, so it goes on node's command line, before the script.
 */
export const NODE_PROCESS_FLAGS: readonly string[] = ["--heap-growing-percent=50"];

/** `env` with Totewatch's memory settings added where the user set none (a new object). */
export function nodeProcessEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  if (out.MALLOC_ARENA_MAX === undefined) out.MALLOC_ARENA_MAX = ARENAS;
  const options = out.NODE_OPTIONS?.trim() ?? "";
  // V8 reads its flags with - or _ alike (--max_semi_space_size).
  if (!options.split(/\s+/).some((option) => option.replace(/_/g, "-").startsWith(SEMI_SPACE_FLAG))) {
    out.NODE_OPTIONS = `${options} ${SEMI_SPACE_FLAG}=${SEMI_SPACE_MB}`.trim();
  }
  return out;
}
