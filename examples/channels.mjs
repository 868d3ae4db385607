// kyoto's channels in one page: a bounded mpsc pipeline with backpressure, a watch value
// many tasks observe, and a broadcast where a slow listener learns how much it missed.
// Run it with `npm run build && node examples/channels.mjs`.

import { CancelSource, broadcast, channel, watch } from "kyoto";

/** @param {string} title */
function section(title) {
  console.log("\n== " + title);
}

async function pipeline() {
  section("mpsc: 3 producers, capacity 2 — a slot frees when a message is received");
  const [tx, rx] = channel(2);
  /** @param {string} name @param {import("kyoto").Sender<string>} sender */
  async function producer(name, sender) {
    for (let i = 1; i <= 3; i++) await sender.send(name + i); // waits while 2 are unreceived
    sender.close();
  }
  const producers = [producer("a", tx.clone()), producer("b", tx.clone()), producer("c", tx)];
  const got = [];
  for await (const msg of rx) got.push(msg); // ends once every sender closed
  await Promise.all(producers);
  console.log("received:", got.join(" "));

  section("mpsc: an aborted send gives its slot back, nothing is left queued");
  const [tx2, rx2] = channel(1);
  tx2.trySend("first");
  const source = new CancelSource();
  const late = tx2.send("late", { signal: source.signal });
  source.cancel("gave up");
  await late.then(undefined, (err) => console.log("send:", err.code, "cause:", err.cause));
  console.log("still queued:", rx2.len(), "→", await rx2.recv());
}

async function config() {
  section("watch: every receiver sees the latest value once");
  const [tx, rx] = watch({ level: "info" });
  const observers = [rx, rx.clone()].map(async (r, k) => {
    const seen = [];
    for (;;) {
      try {
        await r.changed();
      } catch (/** @type {any} */ err) {
        return "observer " + k + " saw " + seen.join(", ") + " then " + err.code;
      }
      seen.push(r.borrowAndUpdate().level);
    }
  });
  const turn = () => new Promise((resolve) => setTimeout(resolve, 0));
  tx.send({ level: "debug" });
  await turn(); // the observers run and see "debug"
  tx.send({ level: "warn" }); // overwritten before anyone looks: nobody sees "warn"
  tx.sendModify((v) => {
    v.level = "error";
  });
  tx.close();
  for (const line of await Promise.all(observers)) console.log(line);
}

async function fanout() {
  section("broadcast: capacity 2, a slow receiver is told what it missed");
  const [tx, fast] = broadcast(2);
  const slow = tx.subscribe();
  for (let i = 1; i <= 5; i++) {
    tx.send(i);
    console.log("fast got", await fast.recv());
  }
  try {
    await slow.recv();
  } catch (/** @type {any} */ err) {
    console.log("slow:", err.code, "skipped", err.skipped);
  }
  console.log("slow resumes at", await slow.recv(), "then", await slow.recv());
}

await pipeline();
await config();
await fanout();
