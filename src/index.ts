/**
 * kyoto's public API: everything `import … from "kyoto"` offers, the same on every host.
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
export { Op, opsArePromises, pendingDeliveries, runDeliveries, setDeliveryHost } from "./core/op";
export type { DeliveryHost, OpOwner } from "./core/op";
export { NIL, NodePool } from "./core/pool";
export type { PoolOptions, PoolStats } from "./core/pool";
export { WaitList } from "./core/list";
export { WAKE_CLOSED, WAKE_READY } from "./core/waker";
export type { Waker } from "./core/waker";
export { ACQUIRED, BatchSemaphore, CLOSED, EXHAUSTED, MAX_PERMITS, defaultWaiterPool } from "./sync/batch_semaphore";
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
export { Runtime, createRuntime, currentRuntime, now, setSleepHook, spawn, yieldNow } from "./runtime/runtime";
export type { RuntimeOptions, RuntimeStats } from "./runtime/runtime";
export { JoinHandle } from "./runtime/task";
export type { TaskContext, TaskFn } from "./runtime/task";
export { JoinSet, join, tryJoin } from "./runtime/join";
export type { JoinResult } from "./runtime/join";
export { select } from "./runtime/select";
export type { Awaitable, Selected, SelectResult } from "./runtime/select";
export { EV_ACCEPTABLE, EV_ERROR, EV_READABLE, EV_TIMER, EV_WAKE, EV_WRITABLE, setDefaultHalFactory } from "./runtime/host";
export type { HalFactory, HalSink, TimeHal } from "./runtime/host";
export type { Hal, HalPeer, NetHal, SocketHal } from "./io/hal";
export { E_ADDRINUSE, E_INVAL, E_IO, E_NOSOCKETS, E_PIPE, E_REFUSED, E_RESET, E_TIMEDOUT, E_UNREACH, HAL_NONE, halErrorName } from "./io/hal";
export type { IoAttachment } from "./runtime/runtime";
export { TcpListener } from "./net/tcp_listener";
export type { ListenOptions } from "./net/tcp_listener";
export { TcpStream } from "./net/tcp_stream";
export type { ConnectOptions } from "./net/tcp_stream";
export { UdpSocket } from "./net/udp_socket";
export type { Received } from "./net/udp_socket";
export { formatAddr, parseAddr } from "./net/addr";
export type { AddrLike, SocketAddr } from "./net/addr";
export { copy, CopyOp } from "./net/copy";
export { Lines, lines } from "./net/lines";
export type { LineResult } from "./net/lines";
export type { Reader, Thenable, Writer } from "./net/io_traits";
export { utf8Decode, utf8Encode } from "./net/utf8";
export { TimerWheel } from "./runtime/time/wheel";
export type { TimerWheelOptions } from "./runtime/time/wheel";
export { sleep, sleepUntil } from "./time/sleep";
export { timeout } from "./time/timeout";
export type { TimeoutTarget } from "./time/timeout";
export { Interval, interval } from "./time/interval";
export type { IntervalOptions, MissedTickBehavior } from "./time/interval";
