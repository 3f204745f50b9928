/**
 * The forwarders a Corefile sends queries to: every `forward` (and legacy `proxy`) plugin of
 * every server block, per zone, with its targets and options. The runner probes each of them
 * through the CoreDNS pods; the NodeLocal check reads where NodeLocal's zones go.
 *
 * @see https://coredns.io/plugins/forward/
 * @see https://github.com/coredns/proxy (the `proxy` plugin, removed in CoreDNS 1.6)
 */
import { isPort } from '../network/ports.js';
import { normalizeZone } from './parse-corefile.js';
import type { CorefileDirective, ParsedCorefile } from './parse-corefile.js';

/** A forwarding target as written in the Corefile. */
export type ForwardTarget =
  | {
      /** an address: `10.0.0.2`, `10.0.0.2:5353`, `[fd00::1]:53`, `tls://9.9.9.9` */
      readonly kind: 'address';
      readonly raw: string;
      readonly scheme: ForwardScheme;
      readonly address: string;
      readonly port: number;
    }
  | {
      /** a host name (CoreDNS ≥ 1.12 resolves it at start-up, see the `resolver` option) */
      readonly kind: 'hostname';
      readonly raw: string;
      readonly scheme: ForwardScheme;
      readonly host: string;
      readonly port: number;
    }
  | {
      /**
       * a resolv.conf-style file (`forward . /etc/resolv.conf`): its nameservers are the targets.
       * On EKS that is the node's resolv.conf (CoreDNS runs with dnsPolicy Default), so the VPC
       * resolver unless the DHCP options name other servers. Resolved by the caller.
       */
      readonly kind: 'resolv.conf';
      readonly raw: string;
      readonly path: string;
    }
  | {
      /** a placeholder substituted at run time: `__PILLAR__CLUSTER__DNS__` (NodeLocal), `{$UPSTREAM}` */
      readonly kind: 'placeholder';
      readonly raw: string;
    }
  | { readonly kind: 'invalid'; readonly raw: string; readonly reason: string };

export type ForwardScheme = 'dns' | 'tls' | 'https';

const DEFAULT_FORWARD_PORT: Record<ForwardScheme, number> = { dns: 53, tls: 853, https: 443 };
const HOSTNAME =
  /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

/** The `forward` block's options (those the checks read; the rest kept under `other`). */
export interface ForwardOptions {
  readonly force_tcp: boolean;
  readonly prefer_udp: boolean;
  readonly max_concurrent?: number;
  readonly max_fails?: number;
  readonly expire?: string;
  readonly health_check?: string;
  readonly policy?: string;
  readonly tls_servername?: string;
  /** zones excluded from forwarding (`except`) */
  readonly except: readonly string[];
  readonly other: Readonly<Record<string, readonly string[]>>;
}

export interface ForwardEntry {
  /** the zone whose queries this forward handles (the server block's zone, or the forward's FROM) */
  readonly zone: string;
  /** the server block's port (53 for plain DNS) */
  readonly port: number;
  /** index into `parsed.serverBlocks` */
  readonly serverBlock: number;
  readonly plugin: 'forward' | 'proxy';
  /** the FROM argument as written (`.` means the whole server block zone) */
  readonly from: string;
  readonly targets: readonly ForwardTarget[];
  readonly options: ForwardOptions;
  readonly line: number;
}

const PLACEHOLDER_TARGET =
  /^(__PILLAR__[A-Z0-9_]+__|\{\$[A-Za-z_][A-Za-z0-9_]*(?::[^}]*)?\}|\{%[A-Za-z_][A-Za-z0-9_]*%\})$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function isIPv4(text: string): boolean {
  const m = IPV4.exec(text);
  return m !== null && m.slice(1, 5).every((o) => Number(o) <= 255);
}

function isIPv6(text: string): boolean {
  // Enough to tell an IPv6 literal from a host name: hex groups and colons, at most one `::`.
  if (!/^[0-9a-f:.]+$/i.test(text) || !text.includes(':')) return false;
  if ((text.match(/::/g) ?? []).length > 1) return false;
  const groups = text.split(':');
  return groups.length >= 3 && groups.length <= 8 && groups.every((g) => g.length <= 4 || isIPv4(g));
}

/**
 * Parses one forward target (`TO` argument).
 * @see https://coredns.io/plugins/forward/#syntax
 */
export function parseForwardTarget(raw: string): ForwardTarget {
  if (PLACEHOLDER_TARGET.test(raw)) return { kind: 'placeholder', raw };
  if (raw.startsWith('/')) return { kind: 'resolv.conf', raw, path: raw };
  let rest = raw;
  let scheme: ForwardScheme = 'dns';
  const schemeMatch = /^([a-z0-9]+):\/\//i.exec(rest);
  if (schemeMatch) {
    const s = (schemeMatch[1] ?? '').toLowerCase();
    if (s !== 'dns' && s !== 'tls' && s !== 'https')
      return { kind: 'invalid', raw, reason: `unsupported scheme "${s}://"` };
    scheme = s;
    rest = rest.slice(schemeMatch[0].length);
    // DoH targets may carry a path (`https://dns.example/dns-query`): the host is what matters here.
    if (scheme === 'https') rest = rest.replace(/\/.*$/, '');
  }
  let port = DEFAULT_FORWARD_PORT[scheme];
  let address = rest;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracketed) {
    address = bracketed[1] ?? '';
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else if (!isIPv6(rest)) {
    const withPort = /^(.+):(\d+)$/.exec(rest);
    if (withPort) {
      address = withPort[1] ?? '';
      port = Number(withPort[2]);
    }
  }
  if (!isPort(port)) return { kind: 'invalid', raw, reason: 'port out of range' };
  if (!isIPv4(address) && !isIPv6(address)) {
    // Four dotted all-digit labels that are not an IPv4 address are a typo, not a host name.
    if (HOSTNAME.test(address) && !/^[\d.]+$/.test(address))
      return { kind: 'hostname', raw, scheme, host: address.toLowerCase(), port };
    return { kind: 'invalid', raw, reason: 'neither an IP address nor a host name' };
  }
  return { kind: 'address', raw, scheme, address: address.toLowerCase(), port };
}

function readOptions(block: readonly CorefileDirective[] | undefined): ForwardOptions {
  let force_tcp = false;
  let prefer_udp = false;
  let max_concurrent: number | undefined;
  let max_fails: number | undefined;
  let expire: string | undefined;
  let health_check: string | undefined;
  let policy: string | undefined;
  let tls_servername: string | undefined;
  const except: string[] = [];
  const other: Record<string, readonly string[]> = {};
  for (const d of block ?? []) {
    switch (d.name) {
      case 'force_tcp':
        force_tcp = true;
        break;
      case 'prefer_udp':
        prefer_udp = true;
        break;
      case 'max_concurrent': {
        const v = Number(d.args[0]);
        if (Number.isInteger(v) && v >= 0) max_concurrent = v;
        break;
      }
      case 'max_fails': {
        const v = Number(d.args[0]);
        if (Number.isInteger(v) && v >= 0) max_fails = v;
        break;
      }
      case 'expire':
        expire = d.args[0];
        break;
      case 'health_check':
        health_check = d.args.join(' ');
        break;
      case 'policy':
        policy = d.args[0];
        break;
      case 'tls_servername':
        tls_servername = d.args[0];
        break;
      case 'except':
        except.push(...d.args.map(normalizeZone));
        break;
      default:
        other[d.name] = d.args;
    }
  }
  return {
    force_tcp,
    prefer_udp,
    ...(max_concurrent !== undefined && { max_concurrent }),
    ...(max_fails !== undefined && { max_fails }),
    ...(expire !== undefined && { expire }),
    ...(health_check !== undefined && { health_check }),
    ...(policy !== undefined && { policy }),
    ...(tls_servername !== undefined && { tls_servername }),
    except,
    other,
  };
}

/**
 * Every forwarder of a parsed Corefile, one entry per server-block zone and `forward`/`proxy`
 * plugin. `forward . X` in block `corp.example:53` handles `corp.example.`; a FROM other than
 * `.` narrows it to that zone. `forward . /etc/resolv.conf` yields a `resolv.conf` target that
 * the caller resolves (or probes through CoreDNS, which is what the runner does).
 *
 * @example
 * forwardTargets(parseCorefile('corp.example:53 {\n forward . 10.1.2.3\n}'))
 * // [{ zone: 'corp.example.', targets: [{ kind: 'address', address: '10.1.2.3', port: 53, … }], … }]
 * @see https://coredns.io/plugins/forward/
 */
export function forwardTargets(parsed: ParsedCorefile): ForwardEntry[] {
  const out: ForwardEntry[] = [];
  parsed.serverBlocks.forEach((block, index) => {
    for (const plugin of block.plugins) {
      if (plugin.name !== 'forward' && plugin.name !== 'proxy') continue;
      const [from, ...to] = plugin.args;
      if (from === undefined) continue;
      const options = readOptions(plugin.block);
      const targets = to.map(parseForwardTarget);
      const fromZone = normalizeZone(from);
      for (const z of block.zones) {
        out.push({
          zone: fromZone === '.' ? z.zone : fromZone,
          port: z.port,
          serverBlock: index,
          plugin: plugin.name,
          from,
          targets,
          options,
          line: plugin.line,
        });
      }
    }
  });
  return out;
}
