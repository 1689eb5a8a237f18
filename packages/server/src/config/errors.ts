// The one error type of configuration loading. Loading collects every problem (file syntax,
// unknown keys, wrong types, out-of-range values, inconsistent combinations) before throwing, so an
// operator fixes a configuration in one pass instead of one restart per mistake.

/** Thrown by `loadConfig` and the unit parsers; one `problems` entry per mistake. */
export class ConfigError extends Error {
  /** One line per problem, each naming the key, the value as given, and where it came from. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.map((problem) => `config: ${problem}`).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
