/** Thrown when an environment variable is missing or malformed; the message names the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly expected: string,
    readonly received: string | undefined,
    secret = false,
  ) {
    super(
      `Invalid configuration: ${variable} ${expected}` +
        (received === undefined ? ' (it is not set).' : secret ? ' (value hidden).' : ` (got ${JSON.stringify(received)}).`) +
        ' Fix the environment variable and start again; see the README, section "Configuration".',
    );
    this.name = 'ConfigError';
  }
}
