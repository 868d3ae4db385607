/**
 * `kyoto/core`: the low-level pieces kyoto is built from, for code that builds its own
 * primitives or hosts (SPEC §4): typed-array node pools and intrusive wait lists, the batch
 * semaphore engine, the delivery loop, the timer wheel, and the HAL seam. Everything here
 * is the same instance the public API in `kyoto` uses. These names may change between
 * minor versions more freely than `kyoto`'s.
 *
 * @module kyoto/core
 */

export { NIL, NodePool } from "./core/pool";
export type { PoolOptions, PoolStats } from "./core/pool";
export { WaitList } from "./core/list";
export { WAKE_CLOSED, WAKE_READY } from "./core/waker";
export type { Waker } from "./core/waker";
export { pendingDeliveries, runDeliveries, setDeliveryHost } from "./core/op";
export type { DeliveryHost, OpOwner } from "./core/op";
export { ACQUIRED, BatchSemaphore, CLOSED, EXHAUSTED, MAX_PERMITS, defaultWaiterPool } from "./sync/batch_semaphore";
export { currentRuntime } from "./runtime/runtime";
export { TimerWheel } from "./runtime/time/wheel";
export type { TimerWheelOptions } from "./runtime/time/wheel";
export { EV_ACCEPTABLE, EV_ERROR, EV_READABLE, EV_TIMER, EV_WAKE, EV_WRITABLE, setDefaultHalFactory } from "./runtime/host";
export type { HalFactory, HalSink, TimeHal } from "./runtime/host";
export type { Hal, HalPeer, NetHal, SocketHal } from "./io/hal";
export { E_ADDRINUSE, E_INVAL, E_IO, E_NOSOCKETS, E_PIPE, E_REFUSED, E_RESET, E_TIMEDOUT, E_UNREACH, HAL_NONE, halErrorName } from "./io/hal";
export type { IoAttachment } from "./runtime/runtime";
