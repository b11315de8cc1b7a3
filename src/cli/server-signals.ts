// How `outgate start` answers the signals systemd sends: SIGHUP re-reads the configuration, SIGTERM
// (and SIGINT) drain and stop within a bound. Handlers are in place before the server starts, so a
// signal during start-up is acted on once it is up instead of killing it half-started.
import type { Running } from '../main.js';
import type { Config } from '../config/schema.js';

/** How long a stop may take before the process exits anyway (systemd's TimeoutStopSec is 30 s). */
const STOP_MS = 20_000;

export interface ServerSignals {
  /** Resolves once a stop signal has stopped `running`. */
  serve(running: Running): Promise<void>;
}

export function listenForSignals(loadConfig: () => Readonly<Config>): ServerSignals {
  let running: Running | undefined;
  let reloadPending = false;
  let stopPending = false;
  let stopped: () => void = () => undefined;

  const reload = (r: Running): void => {
    try {
      r.reload(loadConfig());
    } catch (err) {
      r.log.error({ err }, 'configuration reload failed: the running configuration stays as it was');
    }
  };
  const stop = (r: Running): void => {
    setTimeout(() => {
      r.log.fatal(`not stopped within ${STOP_MS / 1000} s: exiting`);
      process.exit(1);
    }, STOP_MS).unref();
    void r.stop().then(() => stopped());
  };
  const onHup = (): void => {
    if (running) reload(running);
    else reloadPending = true;
  };
  const onStop = (): void => {
    process.off('SIGTERM', onStop);
    process.off('SIGINT', onStop);
    if (running) stop(running);
    else stopPending = true;
  };
  process.on('SIGHUP', onHup);
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);

  return {
    serve(r) {
      running = r;
      const done = new Promise<void>((resolve) => {
        stopped = () => {
          process.off('SIGHUP', onHup);
          resolve();
        };
      });
      if (reloadPending) reload(r);
      if (stopPending) stop(r);
      return done;
    },
  };
}
