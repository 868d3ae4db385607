import { spawn, ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { assert } from "../assert";

// The socket examples, run as a user runs them (after `npm run build`, which `npm test` does
// first): `npm start`'s echo server with its self-check, a plain client talking to it, Ctrl-C;
// the echo client, UDP ping and the chat demo.

const root = path.resolve(__dirname, "../..");

function start(file: string, args: string[], env?: Record<string, string>): { child: ChildProcess; out: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [path.join(root, "examples", file), ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out += d.toString()));
  child.stderr!.on("data", (d) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, out: () => out, exit };
}

async function waitFor(get: () => string, pattern: RegExp, ms: number): Promise<RegExpMatchArray> {
  const t0 = Date.now();
  for (;;) {
    const m = get().match(pattern);
    if (m) return m;
    if (Date.now() - t0 > ms) throw new Error("timed out waiting for " + pattern + " in:\n" + get());
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("socket examples", function () {
  this.timeout(30000);

  it("echo_server.mjs (npm start): listens, passes its self-check, echoes nc-style clients, stops on Ctrl-C", async function () {
    const server = start("echo_server.mjs", [], { PORT: "0" });
    try {
      const m = await waitFor(server.out, /listening on 127\.0\.0\.1:(\d+)/, 10000);
      const port = Number(m[1]);
      await waitFor(server.out, /self-check: ok, 45 bytes sent and echoed back/, 10000);
      assert.ok(new RegExp("nc 127\\.0\\.0\\.1 " + port).test(server.out()), server.out());
      const reply = await new Promise<string>((resolve, reject) => {
        const c = net.connect(port, "127.0.0.1", () => c.end("typed into nc\n"));
        let got = "";
        c.on("data", (d) => (got += d));
        c.on("end", () => resolve(got));
        c.on("error", reject);
      });
      assert.equal(reply, "typed into nc\n");
      const client = start("echo_client.mjs", ["127.0.0.1:" + port, "one", "two"]);
      assert.equal(await client.exit, 0);
      assert.ok(/echo: one\necho: two\n/.test(client.out()), client.out());
      server.child.kill("SIGINT");
      assert.equal(await server.exit, 0, "exits cleanly on Ctrl-C");
      assert.ok(/stopped: the listener is closed/.test(server.out()), server.out());
    } finally {
      server.child.kill("SIGKILL");
    }
  });

  it("udp_ping.mjs pings five times and exits", async function () {
    const run = start("udp_ping.mjs", []);
    assert.equal(await run.exit, 0);
    assert.equal((run.out().match(/pong in \d+ ms/g) || []).length, 5, run.out());
  });

  it("chat_server.mjs --demo: lines, broadcast and select with a shutdown signal", async function () {
    const run = start("chat_server.mjs", ["--demo"]);
    assert.equal(await run.exit, 0);
    const out = run.out();
    assert.ok(/ada heard: grace: \(joined\) \| grace: hello ada \| server is stopping, bye/.test(out), out);
    assert.ok(/grace heard: ada: \(joined\) \| ada: hi grace \| ada: lovely weather for packets \| server is stopping, bye/.test(out), out);
    assert.ok(/chat server stopped/.test(out), out);
  });
});
