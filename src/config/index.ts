export { loadConfig, ConfigError, issuerFor } from './load-config.js';
export { resolveSecret } from './secret.js';
export type { Config, SecurityNotice } from './load-config.js';
export { SECURITY_NOTICES } from './load-config.js';
export { StartupError, errorCode } from './startup-error.js';
export { createDataDir } from './data-dir.js';
