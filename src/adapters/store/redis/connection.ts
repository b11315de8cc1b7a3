// One Redis connection (a server or a Cluster) as the counters and the change feed use it: scripts by
// SHA, raw commands routed by key, SCAN over every master. Bounded: no offline queue and a timeout on
// every command, so a Redis that is down or hung rejects within `commandTimeoutMs` and the policy path's
// fail mode applies (Postfix's own default for a failed policy server is a 4xx; spec §1 "Redis down").
import { createClient, createCluster, type RedisClientType, type RedisClusterType } from 'redis';
import { COUNTER_SCRIPTS } from './counter-scripts.js';

export type RedisTarget = { readonly url: string } | { readonly cluster: ReadonlyArray<{ readonly url: string }> };

export interface RedisOptions {
  /** Every command (script) fails after this long without an answer. */
  readonly commandTimeoutMs?: number;
  /** A connection attempt fails after this long. */
  readonly connectTimeoutMs?: number;
  /** Connection errors, logged by the caller (node-redis reconnects by itself). */
  readonly onError?: (err: unknown) => void;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 1_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 1_000;
/** Reconnect quickly, then every 2 s at most: a node rejoins soon after Redis comes back. */
const reconnectStrategy = (retries: number): number => Math.min(50 * 2 ** retries, 2_000);

type Scripts = typeof COUNTER_SCRIPTS;
type ScriptName = keyof Scripts;
type None = Record<never, never>;
type Client = RedisClientType<None, None, Scripts>;
type Cluster = RedisClusterType<None, None, Scripts>;

export class RedisConnection {
  private constructor(
    private readonly client: Client | undefined,
    private readonly cluster: Cluster | undefined,
    private readonly target: RedisTarget,
    private readonly options: RedisOptions,
  ) {}

  static async open(target: RedisTarget, o: RedisOptions = {}): Promise<RedisConnection> {
    const common = {
      disableOfflineQueue: true,
      // Off (node-redis's default is 5 s): it costs an AbortSignal.timeout and its DOMException per
      // command, ~4 % of a shared node's CPU in a profile, and bounded() below covers more anyway.
      commandOptions: { timeout: 0 },
      socket: { connectTimeout: o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, reconnectStrategy },
    };
    const onError = o.onError ?? (() => undefined);
    if ('url' in target) {
      const client = createClient({ url: target.url, scripts: COUNTER_SCRIPTS, ...common }) as Client;
      // Without a listener an 'error' event would end the process; node-redis reconnects on its own.
      client.on('error', onError);
      await client.connect();
      return new RedisConnection(client, undefined, target, o);
    }
    const cluster = createCluster({ rootNodes: target.cluster.map((n) => ({ url: n.url })), defaults: common, scripts: COUNTER_SCRIPTS }) as Cluster;
    cluster.on('error', onError);
    await cluster.connect();
    return new RedisConnection(undefined, cluster, target, o);
  }

  /** Runs a counters script (EVALSHA, EVAL on NOSCRIPT) on the slot of its first key. */
  script(name: ScriptName, keys: readonly string[], args: readonly string[]): Promise<number[] | number> {
    const target = (this.client ?? this.cluster) as unknown as Record<ScriptName, (k: readonly string[], a: readonly string[]) => Promise<number[] | number>>;
    return bounded(target[name](keys, args), this.commandTimeoutMs);
  }

  /** A raw command routed by `key` (any node when undefined). */
  command<T>(key: string | undefined, args: readonly string[], timeoutMs = this.commandTimeoutMs): Promise<T> {
    if (this.client) return bounded(this.client.sendCommand<T>(args), timeoutMs);
    return bounded(this.cluster!.sendCommand<T>(key, false, [...args]), timeoutMs);
  }

  get commandTimeoutMs(): number {
    return this.options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  }

  /** Every key matching `pattern`, from every master (each key once). */
  async *scan(pattern: string): AsyncGenerator<string> {
    const nodes = this.client ? [this.client] : await Promise.all(this.cluster!.masters.map((m) => this.cluster!.nodeClient(m)));
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await bounded(node.sendCommand<[string, string[]]>(['SCAN', cursor, 'MATCH', pattern, 'COUNT', '1000']), this.commandTimeoutMs);
        cursor = String(next);
        yield* keys;
      } while (cursor !== '0');
    }
  }

  /** A second connection to the same target (a blocking reader must not hold up the shared one). */
  duplicate(o: RedisOptions = {}): Promise<RedisConnection> {
    return RedisConnection.open(this.target, { ...this.options, ...o });
  }

  async close(): Promise<void> {
    // close() rejects what is still queued at once; a dead server must not make shutdown wait.
    if (this.client?.isOpen) this.client.destroy();
    if (this.cluster?.isOpen) this.cluster.destroy();
  }
}

/**
 * Rejects after `ms` whatever the command does. node-redis's own `timeout` only covers a command still
 * waiting to be written (commands-queue.js drops the timer once the command is on the wire), so a hung
 * server that accepted the bytes would hold the decision forever. The late reply, if any, is dropped.
 */
function bounded<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    // The rejection waits for the I/O already pending (setImmediate runs after the poll phase): when this
    // process, not Redis, was stalled past `ms` (a long task, GC, a loaded machine), the reply that came
    // meanwhile is read first and wins, instead of a Redis that answered in time being taken for hung.
    timer = setTimeout(() => setImmediate(() => reject(new Error(`no answer from Redis within ${ms} ms`))), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
