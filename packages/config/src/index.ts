// @totewatch/config: totewatch.yaml -> typed config, the one reader of environment
// variables (environment.ts lists them), and the logger. Imports only @totewatch/tote.
export {
  DEFAULT_CONFIG_FILE_NAME,
  loadConfig,
  parseConfig,
  type LoadConfigOptions,
  type LoadedConfig,
} from "./config.js";
export { ConfigError, type ConfigProblem } from "./config-error.js";
export {
  DEFAULT_DATABASE_PATH,
  absoluteDatabaseUrl,
  databaseUrlProblem,
  isPostgresUrl,
  type DatabaseUrlOrigin,
  type DatabaseUrlSource,
  type ResolvedDatabase,
} from "./database-url.js";
export {
  CHROMIUM_FLAGS,
  chromiumPath,
  databaseUrlFromEnvironment,
  DEBIAN_CHROMIUM,
  userCwd,
} from "./environment.js";
export { expandReferences } from "./expand-env.js";
export { NODE_PROCESS_FLAGS, nodeProcessEnv } from "./node-process.js";
export { credentialsAsBasicAuth, redactUrl } from "./redact.js";
export {
  createLogger,
  formatLogRecord,
  prettyDestination,
  type CreateLoggerOptions,
  type Logger,
} from "./logger.js";
export {
  ALERT_TYPES,
  LOG_LEVELS,
  MIN_DASHBOARD_TOKEN_LENGTH,
  POOLS,
  TEMPLATE_PLACEHOLDERS,
  fillEndpointTemplate,
  mergeRuleSettings,
  resolveRuleSettings,
  ruleSettingsOverrideSchema,
  ruleSettingsSchema,
  totewatchConfigSchema,
  type AdaptedKind,
  type AlertTypeName,
  type CardMapping,
  type ChannelOnly,
  type EndpointAdapter,
  type ExactaMapping,
  type WinMapping,
  type LogLevel,
  type Pool,
  type RuleSettings,
  type RuleSettingsOverride,
  type TemplateValues,
  type TotewatchConfig,
  type TotewatchConfigInput,
  type TrackConfig,
} from "./schema/index.js";
export * from "./timing.js";
