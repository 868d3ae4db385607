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
  let host: string;
  let port: unknown;
  if (typeof addr === "number") {
    host = DEFAULT_HOST;
    port = addr;
  } else if (typeof addr === "string") {
    const colon = addr.lastIndexOf(":");
    if (colon < 0) throw invalidArgument(name, 'an address like "127.0.0.1:8080"', addr);
    host = addr.slice(0, colon);
    if (host.charAt(0) === "[" && host.charAt(host.length - 1) === "]") host = host.slice(1, host.length - 1);
    const digits = addr.slice(colon + 1);
    port = /^[0-9]+$/.test(digits) ? Number(digits) : NaN;
    if (host === "") host = DEFAULT_HOST;
  } else if (addr !== null && typeof addr === "object") {
    host = addr.host === undefined ? DEFAULT_HOST : addr.host;
    port = addr.port;
  } else throw invalidArgument(name, 'an address like "127.0.0.1:8080" or { host, port }', addr);
  if (typeof host !== "string" || !isIpLiteral(host === "localhost" ? DEFAULT_HOST : host)) {
    throw invalidArgument(name, "an address with an IP host (names are not resolved)", addr);
  }
  if (typeof port !== "number" || port !== port || Math.floor(port) !== port || port < 0 || port > 65535) {
    throw invalidArgument(name, "an address with a port from 0 to 65535", addr);
  }
  return { host: host === "localhost" ? DEFAULT_HOST : host, port: port };
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
