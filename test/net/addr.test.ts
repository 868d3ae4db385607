/**
 * Address arguments (src/net/addr.ts) and the argument checks the net API shares
 * (src/net/io_traits.ts): what is accepted, what it becomes, and that every refusal is an
 * `ERR_INVALID_ARG_TYPE` naming the argument and the value.
 */
import { assert } from "../assert";
import { copyAddr, formatAddr, parseAddr } from "../../src/net/addr";
import { copy } from "../../src/net/copy";
import { lines } from "../../src/net/lines";

describe("net: address arguments", function () {
  it("reads host:port strings, bracketed IPv6, bare ports, numbers and { host, port }", () => {
    assert.deepEqual(parseAddr("10.0.0.7:8080", "addr"), { host: "10.0.0.7", port: 8080 });
    assert.deepEqual(parseAddr("[::1]:80", "addr"), { host: "::1", port: 80 });
    assert.deepEqual(parseAddr(":8080", "addr"), { host: "127.0.0.1", port: 8080 }, "a bare port binds 127.0.0.1");
    assert.deepEqual(parseAddr("[]:9", "addr"), { host: "127.0.0.1", port: 9 });
    assert.deepEqual(parseAddr(0, "addr"), { host: "127.0.0.1", port: 0 });
    assert.deepEqual(parseAddr({ port: 65535 } as never, "addr"), { host: "127.0.0.1", port: 65535 });
    assert.deepEqual(parseAddr({ host: "fe80::1", port: 1 }, "addr"), { host: "fe80::1", port: 1 });
  });

  it("takes localhost as 127.0.0.1, in a string and in an object", () => {
    assert.deepEqual(parseAddr("localhost:80", "addr"), { host: "127.0.0.1", port: 80 });
    assert.deepEqual(parseAddr({ host: "localhost", port: 81 }, "addr"), { host: "127.0.0.1", port: 81 });
  });

  it("refuses what is not an address, naming the argument and the value", () => {
    const bad = { code: "ERR_INVALID_ARG_TYPE", name: "TypeError" };
    assert.throws(() => parseAddr("8080", "addr"), { ...bad, message: /^addr must be an address like "127\.0\.0\.1:8080", received "8080"$/ });
    assert.throws(() => parseAddr(null as never, "target"), { ...bad, message: /^target must be an address like "127\.0\.0\.1:8080" or \{ host, port \}, received null$/ });
    assert.throws(() => parseAddr(true as never, "addr"), { ...bad, message: /received true$/ });
    assert.throws(() => parseAddr("example.com:80", "addr"), { ...bad, message: /^addr must be an address with an IP host \(names are not resolved\), received "example\.com:80"$/ });
    assert.throws(() => parseAddr("256.0.0.1:80", "addr"), { ...bad, message: /IP host/ });
    assert.throws(() => parseAddr({ host: 7, port: 80 } as never, "addr"), { ...bad, message: /IP host/ });
  });

  it("refuses ports that are not integers from 0 to 65535", () => {
    const port = { code: "ERR_INVALID_ARG_TYPE", message: /^addr must be an address with a port from 0 to 65535, received / };
    for (const addr of ["127.0.0.1:65536", "127.0.0.1:", "127.0.0.1:8O", "127.0.0.1:-1", "127.0.0.1:1.5"]) {
      assert.throws(() => parseAddr(addr, "addr"), port, addr);
    }
    for (const p of [-1, 65536, 1.5, NaN, Infinity]) assert.throws(() => parseAddr(p, "addr"), port, String(p));
    for (const p of ["80", null, undefined]) assert.throws(() => parseAddr({ host: "127.0.0.1", port: p } as never, "addr"), port, String(p));
  });

  it("formats and copies addresses", () => {
    assert.equal(formatAddr({ host: "::1", port: 80 }), "[::1]:80");
    assert.equal(formatAddr({ host: "127.0.0.1", port: 8080 }), "127.0.0.1:8080");
    const a = { host: "127.0.0.1", port: 1 };
    const b = copyAddr(a);
    assert.deepEqual(b, a);
    b.port = 2;
    assert.equal(a.port, 1, "a copy, not the cached object");
  });

  it("refuses a reader or writer without its method, naming it (lines, copy)", () => {
    const bad = { code: "ERR_INVALID_ARG_TYPE", name: "TypeError" };
    assert.throws(() => lines(null as never), { ...bad, message: /^reader must be an object with read\(buf\), received null$/ });
    assert.throws(() => lines({} as never), { ...bad, message: /^reader must be an object with read\(buf\)/ });
    const reader = { read: () => Promise.resolve(0) };
    assert.throws(() => copy({ read: 1 } as never, { writeAll: () => Promise.resolve(0) }), { ...bad, message: /^reader must be/ });
    assert.throws(() => copy(reader, {} as never), { ...bad, message: /^writer must be an object with writeAll\(buf\), received an object$/ });
  });
});
