/**
 * Every CSS selector of the html endpoints' mappings (and a `render: browser` endpoint's
 * `waitFor`) compiled once, when the config is loaded,
 * so a selector cheerio cannot parse (`tr:nth-child(`) is a config error naming its path, not a
 * failure of every fetch. (The config package has no CSS engine; ingest checks them here.)
 */
import { ConfigError, type ConfigProblem, type EndpointAdapter } from "@totewatch/config";
import { load } from "cheerio";

interface TracksWithAdapters {
  source?: string | null;
  tracks: readonly {
    adapters?: Partial<Record<string, EndpointAdapter>>;
  }[];
}

/** The problems of `config`'s html selectors, each with its path (`tracks[0].endpoints.win.rows`). */
export function selectorProblems(config: TracksWithAdapters): ConfigProblem[] {
  const $ = load("<html></html>");
  const problems: ConfigProblem[] = [];
  config.tracks.forEach((track, t) => {
    for (const [kind, adapter] of Object.entries(track.adapters ?? {})) {
      if (adapter?.format !== "html") continue;
      // render: browser's waitFor is a selector too: one that does not compile would only time out.
      const waitFor = adapter.render?.waitFor === undefined ? [] : [["waitFor", adapter.render.waitFor]];
      for (const [key, query] of [...Object.entries(adapter.mapping), ...waitFor]) {
        if (typeof query !== "string" || query === ".") continue;
        try {
          $.root().find(query);
        } catch (error) {
          const reason = String((error as Error).message ?? error).split("\n")[0];
          problems.push({
            path: `tracks[${t}].endpoints.${kind}.${key}`,
            message: `not a CSS selector cheerio can use: ${JSON.stringify(query)} (${reason})`,
          });
        }
      }
    }
  });
  return problems;
}

/** `config` itself, or a ConfigError (as loadConfig throws) naming every selector that does not compile. */
export function checkSelectors<C extends TracksWithAdapters>(config: C): C {
  const problems = selectorProblems(config);
  if (problems.length > 0) throw new ConfigError(config.source ?? "<config>", problems);
  return config;
}
