/**
 * Socket addresses: `"127.0.0.1:8080"`, `"[::1]:8080"` or `{ host, port }`. The host is an IP
 * literal (name resolution is not kyoto's job); `"localhost"` means `127.0.0.1`. Servers
 * bind `127.0.0.1` unless told otherwise: a bare port (`8080` or `":8080"`) binds there.
 *
 * @example
 * parseAddr("127.0.0.1:8080")        // { host: "127.0.0.1", port: 8080 }
 * formatAddr({ host: "::1", port: 80 }) // "[::1]:80"
 */

import { invalidArgument } from "../core/errors";

/** A socket address. */
export interface SocketAddr {
  host: string;
  port: number;
}

/** What the net API accepts as an address. */
export type AddrLike = string | number | SocketAddr;

const DEFAULT_HOST = "127.0.0.1";
const ADDRESS_LIKE = 'an address like "127.0.0.1:8080"';

/**
 * Parses an address argument named `name` (for the error message). Allocates: the result.
 *
 * @example
 * ```ts
 * const addr = parseAddr("127.0.0.1:8080", "addr");
 * console.log(addr.host, addr.port); // "127.0.0.1" 8080
 * ```
 */
export function parseAddr(addr: AddrLike, name: string): SocketAddr {
  let host: unknown = DEFAULT_HOST;
  let port: unknown = addr;
  if (typeof addr === "string") {
    const colon = addr.lastIndexOf(":");
    if (colon < 0) throw invalidArgument(name, ADDRESS_LIKE, addr);
    const digits = addr.slice(colon + 1);
    port = /^[0-9]+$/.test(digits) ? Number(digits) : NaN;
    let h = addr.slice(0, colon);
    if (h.charAt(0) === "[" && h.charAt(h.length - 1) === "]") h = h.slice(1, h.length - 1);
    if (h !== "") host = h;
  } else if (addr !== null && typeof addr === "object") {
    if (addr.host !== undefined) host = addr.host;
    port = addr.port;
  } else if (typeof addr !== "number") throw invalidArgument(name, ADDRESS_LIKE + " or { host, port }", addr);
  if (host === "localhost") host = DEFAULT_HOST;
  if (typeof host !== "string" || !isIpLiteral(host)) throw invalidArgument(name, "an address with an IP host (names are not resolved)", addr);
  // (NaN fails Math.floor(port) === port)
  if (typeof port !== "number" || Math.floor(port) !== port || port < 0 || port > 65535) {
    throw invalidArgument(name, "an address with a port from 0 to 65535", addr);
  }
  return { host: host, port: port };
}

/**
 * `"host:port"` (IPv6 hosts in brackets). Allocates: the string.
 *
 * @example
 * ```ts
 * console.log(formatAddr({ host: "127.0.0.1", port: 8080 })); // "127.0.0.1:8080"
 * ```
 */
export function formatAddr(addr: SocketAddr): string {
  return (addr.host.indexOf(":") >= 0 ? "[" + addr.host + "]" : addr.host) + ":" + addr.port;
}

/** A copy of `addr` (what `localAddr()` / `peerAddr()` hand out). Allocates: the result. */
export function copyAddr(addr: SocketAddr): SocketAddr {
  return { host: addr.host, port: addr.port };
}

function isIpLiteral(host: string): boolean {
  if (/^[0-9]{1,3}(\.[0-9]{1,3}){3}$/.test(host)) {
    const parts = host.split(".");
    for (let i = 0; i < 4; i++) if (Number(parts[i]) > 255) return false;
    return true;
  }
  return host.indexOf(":") >= 0 && /^[0-9a-fA-F:.]+$/.test(host);
}
