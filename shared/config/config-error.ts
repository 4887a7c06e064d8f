/** A bad or missing configuration variable; the message names it. In its own module so small bundles need not carry the full schema. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
