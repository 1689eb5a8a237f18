// Listen addresses as written in the config: "host:port", IPv6 in brackets ("[::1]:8090").
// Port 0 is allowed: the OS picks a free port (tests start servers that way).

export interface ListenAddress {
  /** Host without brackets, e.g. "127.0.0.1", "::1", "localhost". */
  readonly host: string;
  readonly port: number;
}

export type AddressParseResult = { readonly ok: true; readonly value: ListenAddress } | { readonly ok: false; readonly reason: string };

const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const IPV6 = /^[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?$/;
const PORT = /^\d{1,5}$/;

/** Splits and checks "host:port"; the reason reads after the value ("has no port ..."). */
export function tryListenAddress(input: string): AddressParseResult {
  const text = input.trim();
  const example = '(expected host:port, e.g. "127.0.0.1:8090" or "[::1]:8090")';
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return { ok: false, reason: `has an unclosed "[" ${example}` };
    host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest === '') return { ok: false, reason: `has no port ${example}` };
    if (!rest.startsWith(':')) return { ok: false, reason: `is not a valid address ${example}` };
    portText = rest.slice(1);
    if (!IPV6.test(host) || !host.includes(':')) return { ok: false, reason: `has an invalid IPv6 host "${host}" ${example}` };
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) return { ok: false, reason: `has no port ${example}` };
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(':')) return { ok: false, reason: `has an IPv6 host without brackets ${example}` };
    if (host === '') return { ok: false, reason: `has no host ${example}` };
    if (!HOSTNAME.test(host)) return { ok: false, reason: `has an invalid host "${host}" ${example}` };
  }
  if (portText === '') return { ok: false, reason: `has no port ${example}` };
  const port = PORT.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) return { ok: false, reason: `has an invalid port "${portText}" (0 to 65535)` };
  return { ok: true, value: { host, port } };
}

/** Parses a listen address from a loaded config (already validated), e.g. `config.tcp.address`. */
export function parseListenAddress(address: string): ListenAddress {
  const result = tryListenAddress(address);
  if (!result.ok) throw new Error(`address ${JSON.stringify(address)} ${result.reason}`);
  return result.value;
}

/** Whether two listeners on these addresses would compete for the same port. */
export function addressesOverlap(a: ListenAddress, b: ListenAddress): boolean {
  if (a.port === 0 || b.port === 0 || a.port !== b.port) return false;
  const wildcard = (host: string): boolean => host === '0.0.0.0' || host === '::';
  return a.host === b.host || wildcard(a.host) || wildcard(b.host);
}
