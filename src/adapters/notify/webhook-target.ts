// Where an alert webhook may connect: public addresses only, unless the operator allows more
// (alerts.webhookAllow). A tenant's admin chooses the URL, so without this a webhook could reach the
// loopback, the cloud metadata service or the internal network from inside the server.
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { Errors, fail } from '../../errors.js';

/** Resolves a host name to every address it has (node:dns by default; tests pass their own). */
export type Resolve = (host: string) => Promise<Array<{ address: string; family: number }>>;

export const systemResolve: Resolve = (host) => dnsLookup(host, { all: true, verbatim: true });

/** Not reachable on the public internet, or not meant to be: refused unless allowed. */
const NON_PUBLIC: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'], // "this network", 0.0.0.0 reaches the local host
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.0.2.0', 24, 'ipv4'],
  ['192.88.99.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'],
  ['203.0.113.0', 24, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'], // multicast
  ['240.0.0.0', 4, 'ipv4'], // reserved, broadcast
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'], // (IPv4-mapped addresses, ::ffff:a.b.c.d, are checked by the IPv4 rules)
  ['64:ff9b::', 96, 'ipv6'], // NAT64 can embed an internal IPv4 address
  ['64:ff9b:1::', 48, 'ipv6'],
  ['100::', 64, 'ipv6'],
  ['2001::', 23, 'ipv6'],
  ['2001:db8::', 32, 'ipv6'],
  ['2002::', 16, 'ipv6'], // 6to4 can embed an internal IPv4 address
  ['fc00::', 7, 'ipv6'], // unique local
  ['fe80::', 10, 'ipv6'], // link-local
  ['fec0::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'], // multicast
];

const nonPublic = new BlockList();
for (const [net, prefix, type] of NON_PUBLIC) nonPublic.addSubnet(net, prefix, type);

/** The operator's allow-list: CIDRs (`10.1.2.0/24`, `::1/128`), single addresses, or host names. */
export class TargetPolicy {
  private readonly subnets = new BlockList();
  private readonly hosts = new Set<string>();

  constructor(allow: readonly string[]) {
    for (const raw of allow) {
      const item = raw.trim().toLowerCase();
      const [addr, bits] = item.split('/');
      const family = isIP(addr!.replace(/^\[|\]$/g, ''));
      if (family === 0) {
        if (bits !== undefined) throw new Error(`alerts.webhookAllow: '${raw}' is neither a CIDR nor a host name`);
        this.hosts.add(item);
        continue;
      }
      const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) throw new Error(`alerts.webhookAllow: '${raw}' has a bad prefix length`);
      this.subnets.addSubnet(addr!.replace(/^\[|\]$/g, ''), prefix, family === 4 ? 'ipv4' : 'ipv6');
    }
  }

  /** May `address`, which `host` resolved to, be connected to? */
  allows(host: string, address: string): boolean {
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (this.hosts.has(host.toLowerCase()) || this.subnets.check(address, type)) return true;
    return !nonPublic.check(address, type);
  }
}

/** The policy for `alerts.webhookAllow`; a bad entry stops start-up as a configuration error. */
export function webhookPolicy(allow: readonly string[]): TargetPolicy {
  try {
    return new TargetPolicy(allow);
  } catch (err) {
    fail(Errors.CONFIG_INVALID, `Configuration ${(err as Error).message}.`);
  }
}

export class TargetRefused extends Error {
  constructor(readonly host: string) {
    super(`${host} is not a public address (alerts.webhookAllow can allow it)`);
  }
}

/**
 * The address to connect to for `url`: every address the host resolves to must be allowed (a name
 * with one public and one internal address is refused), and the caller connects to the one returned,
 * so a second, different DNS answer cannot slip in between the check and the connection.
 */
export async function checkedTarget(url: URL, policy: TargetPolicy, resolve: Resolve = systemResolve): Promise<{ address: string; family: 4 | 6 }> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host);
  const addresses = literal !== 0 ? [{ address: host, family: literal }] : await resolve(host);
  if (addresses.length === 0 || addresses.some((a) => !policy.allows(host, a.address))) throw new TargetRefused(host);
  const first = addresses[0]!;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** For webhook creation: is the URL's target allowed now? (Delivery checks again: DNS may change.) */
export async function targetAllowed(url: string, policy: TargetPolicy, resolve: Resolve = systemResolve): Promise<boolean> {
  try {
    await checkedTarget(new URL(url), policy, resolve);
    return true;
  } catch {
    return false;
  }
}
