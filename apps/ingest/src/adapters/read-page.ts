/**
 * One page body through its endpoint's adapter, whichever kind it is: an html or json mapping
 * (adapt.ts, pure and synchronous) or a user's module (module-adapter.ts, maybe async). The one
 * entry point poll and probe share, so a module endpoint is read the same way by both.
 */
import type { EndpointAdapter } from "@totewatch/config";
import { adaptBody, type AdapterContext, type AdaptResult } from "./adapt.js";
import { runModuleAdapter, type ModuleLimits, type ModuleRegistry } from "./module-adapter.js";

export async function readPage(
  adapter: EndpointAdapter,
  modules: ModuleRegistry,
  body: string,
  ctx: AdapterContext,
  /** A module's time limit and the stop signal (module-adapter.ts). */
  limits?: ModuleLimits,
): Promise<AdaptResult> {
  if (adapter.format !== "module") return adaptBody(adapter, body, ctx);
  const module = modules.get(adapter);
  // loadAdapterModules imports every module endpoint before anything is fetched.
  if (module === undefined) return { ok: false, reason: `module ${adapter.module} was not loaded` };
  return runModuleAdapter(module, adapter.kind, body, ctx, limits);
}
