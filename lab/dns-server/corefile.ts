/**
 * Just enough of the Corefile syntax for the lab's CoreDNS stand-ins to route like the CoreDNS
 * they play: server blocks (zones), `kubernetes` zones (answered from the Services) and `forward`
 * targets (`/etc/resolv.conf` meaning the node's resolver). Deliberately separate from the
 * product's Corefile parser in lambdas/core: the lab is the oracle the product is tested against.
 *
 * @see https://coredns.io/manual/configuration/
 * @see https://coredns.io/plugins/forward/
 * @see https://coredns.io/plugins/kubernetes/
 */

/** One server block: its zones and top-level directives (nested blocks skipped). */
export interface CorefileBlock {
  readonly zones: string[];
  readonly directives: { readonly name: string; readonly args: string[] }[];
}

type Token = { readonly text: string; readonly newline: boolean };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/(^|\s)#.*$/, '');
    const words = line.match(/"[^"]*"|\{|\}|[^\s{}]+/g) ?? [];
    words.forEach((w, i) => tokens.push({ text: w.replace(/^"|"$/g, ''), newline: i === 0 }));
  }
  return tokens;
}

/** Strips a scheme and port from a server block key: `dns://corp.example:53` → `corp.example`. */
export function zoneOfKey(key: string): string {
  const noScheme = key.replace(/^[a-z]+:\/\//, '');
  const zone = noScheme.replace(/:\d+$/, '');
  return zone === '' ? '.' : zone.toLowerCase();
}

/** Parses the server blocks of a Corefile. Unbalanced braces end the parse where they are. */
export function parseCorefileBlocks(text: string): CorefileBlock[] {
  const tokens = tokenize(text);
  const blocks: CorefileBlock[] = [];
  let i = 0;
  while (i < tokens.length) {
    const keys: string[] = [];
    while (i < tokens.length && tokens[i]?.text !== '{') {
      keys.push(...(tokens[i]?.text ?? '').split(',').filter(Boolean));
      i += 1;
    }
    i += 1; // '{'
    const directives: { name: string; args: string[] }[] = [];
    let depth = 1;
    let current: { name: string; args: string[] } | undefined;
    while (i < tokens.length && depth > 0) {
      const token = tokens[i] as Token;
      if (token.text === '{') depth += 1;
      else if (token.text === '}') depth -= 1;
      else if (depth === 1) {
        if (token.newline || current === undefined) {
          current = { name: token.text, args: [] };
          directives.push(current);
        } else current.args.push(token.text);
      }
      i += 1;
    }
    if (keys.length > 0) blocks.push({ zones: keys.map(zoneOfKey), directives });
  }
  return blocks;
}

/** How a stand-in routes queries: zones it answers itself, and forwarders by zone. */
export interface StandInRouting {
  readonly kubernetesZones: string[];
  readonly forwards: { zone: string; to: string[] }[];
}

/**
 * The routing a CoreDNS with this Corefile does. `/etc/resolv.conf` as a forward target means
 * `resolvConfServers` (the node's name servers — the VPC resolver).
 */
export function standInRouting(corefile: string, resolvConfServers: readonly string[]): StandInRouting {
  const kubernetesZones: string[] = [];
  const forwards: { zone: string; to: string[] }[] = [];
  for (const block of parseCorefileBlocks(corefile)) {
    for (const directive of block.directives) {
      if (directive.name === 'kubernetes') {
        const zones = directive.args.length > 0 ? directive.args : block.zones;
        kubernetesZones.push(...zones.map((z) => z.toLowerCase()).filter((z) => !z.endsWith('arpa')));
      } else if (directive.name === 'forward' && directive.args.length >= 2) {
        const [from = '.', ...targets] = directive.args;
        const to = targets.flatMap((t) => {
          if (t === '/etc/resolv.conf') return [...resolvConfServers];
          if (/^(tls|https):\/\//.test(t)) return [];
          const address = t.replace(/^dns:\/\//, '').replace(/:\d+$/, '');
          return /^\d+\.\d+\.\d+\.\d+$/.test(address) ? [address] : [];
        });
        const zones = from === '.' ? block.zones : [zoneOfKey(from)];
        for (const zone of zones) forwards.push({ zone, to });
      }
    }
  }
  return { kubernetesZones: [...new Set(kubernetesZones)], forwards };
}
