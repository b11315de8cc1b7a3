// store.redisUrl as a connection target: one server (redis://, rediss://) or a Redis Cluster named by
// some of its nodes (redis+cluster://h1:p1,h2:p2, rediss+cluster:// for TLS); node-redis's cluster
// client finds the other nodes and the slot map from any one of them.
import { Errors, fail } from '../../../errors.js';
import type { RedisTarget } from './connection.js';

const CLUSTER = /^(rediss?)\+cluster:\/\/(?:([^@/]*)@)?([^/?#]+)(.*)$/;

export function redisTarget(url: string): RedisTarget {
  if (/^rediss?:\/\//.test(url)) return { url };
  const m = CLUSTER.exec(url);
  if (!m) fail(Errors.CONFIG_INVALID, 'Configuration store.redisUrl (OUTGATE_REDIS_URL) must be a redis://, rediss:// or redis+cluster://host:port,host:port URL.');
  const [, scheme, auth, hosts, rest] = m as unknown as [string, string, string | undefined, string, string];
  const nodes = hosts.split(',').map((h) => h.trim());
  if (nodes.some((h) => !/^(\[[0-9a-fA-F:.]+\]|[^\s:,[\]]+):\d{1,5}$/.test(h))) {
    fail(Errors.CONFIG_INVALID, `Configuration store.redisUrl (OUTGATE_REDIS_URL): '${hosts}' must list the cluster's nodes as host:port,host:port.`);
  }
  return { cluster: nodes.map((h) => ({ url: `${scheme}://${auth !== undefined ? `${auth}@` : ''}${h}${rest}` })) };
}
