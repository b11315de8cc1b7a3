// Port: structured logging as the use cases need it (pino satisfies it; tests may pass NO_LOG).

export interface Log {
  debug(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
  /** Lets a hot path skip building a line nobody reads. */
  isLevelEnabled(level: string): boolean;
}

export const NO_LOG: Log = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  isLevelEnabled: () => false,
};
