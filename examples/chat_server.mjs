// A line-protocol chat server: the first line a client sends is its name, every later line
// goes to everyone else. It shows lines() over a TcpStream, a broadcast channel fanning
// messages out, and select() waiting on "a line from my client", "a message for my client"
// and "the server is stopping" at once — the losers are cancelled without losing a line or
// a message (both ops give back what they had taken).
//
//   node examples/chat_server.mjs          # on 127.0.0.1:8081; talk with `nc 127.0.0.1 8081`
//   node examples/chat_server.mjs --demo   # two bots chat, then the server stops itself

import { CancelSource, JoinSet, Notify, TcpListener, TcpStream, broadcast, formatAddr, lines, select, sleep, utf8Encode } from "kyoto";

const argv = typeof process !== "undefined" ? process.argv.slice(2) : [];
const demo = argv.indexOf("--demo") >= 0;
const env = typeof process !== "undefined" ? process.env : {};
const port = demo ? 0 : env.PORT !== undefined && env.PORT !== "" ? Number(env.PORT) : 8081;

const [hub] = broadcast(64); // every message: { from, text }
const stopping = new Notify();
const stopSource = new CancelSource();
const clients = new JoinSet();

/** @param {import("kyoto").TcpStream} socket */
async function serve(socket) {
  const inbox = hub.subscribe();
  const input = lines(socket);
  const send = (/** @type {string} */ text) => socket.writeAll(utf8Encode(text + "\n"));
  try {
    await send("welcome! your name?");
    const first = await input.next();
    if (first.done) return;
    const name = first.value;
    hub.send({ from: name, text: "(joined)" });
    for (;;) {
      const r = await select([input.next(), inbox.recv(), stopping.notified()]);
      if (r.index === 0) {
        if (r.value.done) break;
        hub.send({ from: name, text: r.value.value });
      } else if (r.index === 1) {
        if (r.value.from !== name) await send(r.value.from + ": " + r.value.text);
      } else {
        await send("server is stopping, bye");
        break;
      }
    }
    hub.send({ from: name, text: "(left)" });
  } finally {
    inbox.close();
    await input.return();
    socket.close();
  }
}

const listener = await TcpListener.bind({ host: "127.0.0.1", port: port });
console.log("chat server on " + formatAddr(listener.localAddr()) + (demo ? " (demo)" : "; talk with nc"));
if (typeof process !== "undefined") process.once("SIGINT", () => stopSource.cancel("Ctrl-C"));

const accepting = (async () => {
  for (;;) {
    let socket;
    try {
      socket = await listener.accept({ signal: stopSource.signal });
    } catch (e) {
      return;
    }
    clients.spawn(() => serve(socket));
  }
})();

if (demo) {
  /** @param {string} name @param {string[]} says */
  async function bot(name, says) {
    const s = await TcpStream.connect(listener.localAddr());
    const heard = lines(s);
    await heard.next(); // welcome
    await s.writeAll(utf8Encode(name + "\n"));
    await sleep(20);
    for (const line of says) {
      await s.writeAll(utf8Encode(line + "\n"));
      await sleep(10);
    }
    const log = [];
    for await (const line of heard) log.push(line);
    s.close();
    return name + " heard: " + log.join(" | ");
  }
  const a = bot("ada", ["hi grace", "lovely weather for packets"]);
  const b = bot("grace", ["hello ada"]);
  await sleep(500);
  stopping.notifyWaiters(); // every client's select sees the shutdown
  stopSource.cancel("demo over");
  console.log(await a);
  console.log(await b);
}

await accepting;
listener.close();
while (clients.size > 0) await clients.joinNext();
console.log("chat server stopped");
