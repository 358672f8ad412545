// SSRF guard for user-supplied URLs: refuse private, loopback, link-local, metadata and other non-public
// addresses (IPv4 and IPv6). The check runs on the addresses DNS returns and again inside the socket's lookup,
// so a name that re-resolves to a private address between check and connect is still refused.
import { lookup as dnsLookup } from 'node:dns';
import { promises as dns } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { ConnectorError } from '../connector.errors.js';

export interface SsrfOptions {
  /** Host names (or IP literals) exempt from the check, e.g. a request bin configured by the operator. */
  allowHosts?: string[];
  /** Skip the address check entirely (tests, local sandbox). Protocol checks still apply. */
  allowPrivate?: boolean;
  /** Injectable resolver (tests). */
  resolve?: (hostname: string) => Promise<string[]>;
}

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT (also Alibaba metadata 100.100.100.200)
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata 169.254.169.254
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved + broadcast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (incl. fd00:ec2::254 metadata)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** IPv4 address embedded in an IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible or NAT64 (64:ff9b::/96) address. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const high = parseInt(hex[1]!, 16);
    const low = parseInt(hex[2]!, 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return undefined;
}

/** True when the IP literal is not a public unicast address. */
export function isNonPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 4) return blocked.check(bare, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIpv4(bare);
    if (v4 !== undefined) return blocked.check(v4, 'ipv4');
    return blocked.check(bare, 'ipv6');
  }
  return true; // not an IP at all: refuse
}

function normaliseHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

function isAllowedHost(hostname: string, options: SsrfOptions): boolean {
  const host = normaliseHost(hostname);
  return (options.allowHosts ?? []).some((allowed) => normaliseHost(allowed) === host);
}

function blockedError(url: URL, address: string | undefined): ConnectorError {
  return new ConnectorError(
    'SSRF_BLOCKED',
    `The URL ${url.protocol}//${url.host} resolves to a private or reserved address` +
      (address ? ` (${address})` : '') +
      '; only public internet addresses can be called. Ask an operator to allow this host if it is intended.',
    { retryable: false, details: { host: url.hostname } },
  );
}

async function defaultResolve(hostname: string): Promise<string[]> {
  const results = await dns.lookup(hostname, { all: true, verbatim: true });
  return results.map((r) => r.address);
}

/**
 * Refuses non-http(s) URLs, credentials in the URL, and hosts that are or resolve to non-public addresses
 * (unless allowed). Returns the parsed URL and the checked addresses.
 */
export async function assertPublicUrl(
  input: string | URL,
  options: SsrfOptions = {},
): Promise<{ url: URL; addresses: string[] }> {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    throw new ConnectorError('INVALID_INPUT', `"${String(input).slice(0, 200)}" is not a valid absolute URL.`, {
      retryable: false,
      issues: [{ pointer: '/url', message: 'must be an absolute http(s) URL' }],
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConnectorError('SSRF_BLOCKED', `Only http and https URLs can be called (got ${url.protocol}).`, {
      retryable: false,
    });
  }
  if (url.username || url.password) {
    throw new ConnectorError(
      'INVALID_INPUT',
      'Credentials inside the URL are not accepted; use the request\'s auth option instead.',
      { retryable: false, issues: [{ pointer: '/url', message: 'must not contain user:password@' }] },
    );
  }
  const host = normaliseHost(url.hostname);
  if (options.allowPrivate || isAllowedHost(host, options)) return { url, addresses: [] };
  if (isIP(host)) {
    if (isNonPublicAddress(host)) throw blockedError(url, host);
    return { url, addresses: [host] };
  }
  let addresses: string[];
  try {
    addresses = await (options.resolve ?? defaultResolve)(host);
  } catch (error) {
    throw new ConnectorError('RETRYABLE', `Could not resolve host ${host}.`, { cause: error });
  }
  if (addresses.length === 0) throw new ConnectorError('RETRYABLE', `Host ${host} has no address.`);
  const bad = addresses.find((a) => isNonPublicAddress(a));
  if (bad !== undefined) throw blockedError(url, bad);
  return { url, addresses };
}

/**
 * A socket `lookup` that refuses non-public answers at connect time (defends against DNS rebinding
 * between `assertPublicUrl` and the connection).
 */
export function guardedLookup(options: SsrfOptions): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error) {
        callback(error, '', 0);
        return;
      }
      const list = addresses as unknown as Array<{ address: string; family: number }>;
      const allowed = options.allowPrivate || isAllowedHost(hostname, options);
      const bad = allowed ? undefined : list.find((a) => isNonPublicAddress(a.address));
      if (bad) {
        callback(blockedError(new URL(`http://${hostname}`), bad.address), '', 0);
        return;
      }
      if (lookupOptions.all) {
        (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      } else {
        const first = list[0];
        if (!first) callback(new Error(`No address for ${hostname}`), '', 0);
        else callback(null, first.address, first.family);
      }
    });
  };
}
