export {
  DEFAULT_CONFIG_FILE_NAME,
  absoluteDatabaseUrl,
  loadConfig,
  parseConfig,
  type LoadConfigOptions,
  type LoadedConfig,
} from "./config.js";
export { ConfigError, formatKeyPath, type ConfigProblem } from "./config-error.js";
export { expandEnv } from "./expand-env.js";
export {
  createLogger,
  formatLogRecord,
  prettyDestination,
  type CreateLoggerOptions,
  type Logger,
} from "./logger.js";
export {
  LOG_LEVELS,
  POOLS,
  TEMPLATE_PLACEHOLDERS,
  fillEndpointTemplate,
  mergeRuleSettings,
  resolveRuleSettings,
  ruleSettingsOverrideSchema,
  ruleSettingsSchema,
  totewatchConfigSchema,
  type LogLevel,
  type Pool,
  type RuleSettings,
  type RuleSettingsOverride,
  type TemplateValues,
  type TotewatchConfig,
  type TotewatchConfigInput,
  type TrackConfig,
} from "./schema.js";
export * from "./timing.js";
