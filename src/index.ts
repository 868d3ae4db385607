/**
 * kyoto's public API: everything `import … from "kyoto"` offers, the same on every host, and
 * nothing more than SPEC §5 lists (with the option and result types its signatures name).
 * The engine's own pieces (pools, wait lists, the batch semaphore, the delivery loop, the
 * timer wheel, the HAL seam) are `kyoto/core` (src/core_api.ts).
 *
 * @module kyoto
 */

export {
  ERR_BUSY,
  ERR_CANCELLED,
  ERR_CLOSED,
  ERR_INVALID_ARG_TYPE,
  ERR_INVALID_STATE,
  ERR_LAGGED,
  ERR_OUT_OF_RANGE,
  ERR_POOL_EXHAUSTED,
  ERR_SOCKET,
  ERR_TIMEOUT,
  setDebug,
  setErrorReporter,
} from "./core/errors";
export type { KyotoError } from "./core/errors";
export { CancelSignal, CancelSource } from "./core/cancel";
export type { SignalLike, WaitOptions } from "./core/cancel";
export { Op, opsArePromises } from "./core/op";
export { Permit, Semaphore } from "./sync/semaphore";
export type { SemaphoreOptions } from "./sync/semaphore";
export { Mutex, MutexGuard } from "./sync/mutex";
export type { MutexOptions } from "./sync/mutex";
export { RwLock, RwLockReadGuard, RwLockWriteGuard } from "./sync/rwlock";
export type { RwLockOptions } from "./sync/rwlock";
export { Notify } from "./sync/notify";
export type { NotifyOptions } from "./sync/notify";
export { Barrier } from "./sync/barrier";
export type { BarrierOptions, BarrierWaitResult } from "./sync/barrier";
export { OneshotReceiver, OneshotSender, oneshot } from "./sync/oneshot";
export type { OneshotOptions } from "./sync/oneshot";
export { Receiver } from "./sync/mpsc/chan";
export { SendPermit, Sender, channel } from "./sync/mpsc/bounded";
export type { ChannelOptions } from "./sync/mpsc/bounded";
export { UnboundedSender, unboundedChannel } from "./sync/mpsc/unbounded";
export { WatchReceiver, WatchSender, watch } from "./sync/watch";
export type { WatchOptions } from "./sync/watch";
export { BroadcastReceiver, BroadcastSender, broadcast } from "./sync/broadcast";
export type { BroadcastOptions } from "./sync/broadcast";
export { Runtime, createRuntime, spawn } from "./runtime/runtime";
export { now, yieldNow } from "./runtime/base";
export type { RuntimeOptions, RuntimeStats } from "./runtime/runtime";
export { JoinHandle } from "./runtime/task";
export type { TaskContext, TaskFn } from "./runtime/task";
export { JoinSet, join, tryJoin } from "./runtime/join";
export type { JoinResult } from "./runtime/join";
export { select } from "./runtime/select";
export type { Awaitable, Selected, SelectResult } from "./runtime/select";
export { TcpListener } from "./net/tcp_listener";
export type { ListenOptions } from "./net/tcp_listener";
export { TcpStream } from "./net/tcp_stream";
export type { ConnectOptions } from "./net/tcp_stream";
export { UdpSocket } from "./net/udp_socket";
export type { Received } from "./net/udp_socket";
export { formatAddr, parseAddr } from "./net/addr";
export type { AddrLike, SocketAddr } from "./net/addr";
export { copy } from "./net/copy";
export type { CopyOp } from "./net/copy";
export { lines } from "./net/lines";
export type { LineResult, Lines } from "./net/lines";
export type { Reader, Thenable, Writer } from "./net/io_traits";
export { utf8Decode, utf8Encode } from "./net/utf8";
export { sleep, sleepUntil } from "./time/sleep";
export { timeout } from "./time/timeout";
export type { TimeoutTarget } from "./time/timeout";
export { Interval, interval } from "./time/interval";
export type { IntervalOptions, MissedTickBehavior } from "./time/interval";
