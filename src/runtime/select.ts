/**
 * `select([ops])`: the first op to settle wins and every other op is cancelled.
 *
 * @example
 * const r = await select([rx.recv(), sleep(100)]);
 * if (r.index === 1) console.log("timed out; no message was taken");
 *
 * Losers are cancelled with `op.cancel()`, so a loser that had already received a resource
 * (a permit, a message) gives it back: nothing is lost and nothing is delivered twice.
 * Inputs may be any thenables; only those with a `cancel` method can be cancelled.
 *
 * Implementation notes (shared with `join`/`tryJoin` through `GroupOp`):
 * - The group subscribes to its inputs only when someone subscribes to it (`then`). Until
 *   then the inputs keep their results undelivered, so cancelling the group cancels them and
 *   every resource goes back. When several inputs are already complete at that point, the
 *   lowest index is delivered first and wins (like Tokio's `biased` select).
 * - When the group settles it delivers its own result at once, inside the winning input's
 *   delivery: there is no moment where the group holds a value it could not give back.
 */

import { invalidArgument } from "../core/errors";
import { Op } from "../core/op";

/** Anything awaitable; `cancel` is used when present. */
export interface Awaitable<T> {
  then(onValue: (value: T) => unknown, onError: (error: unknown) => unknown): unknown;
  cancel?: (reason?: unknown) => boolean;
}

/** What `select` resolves with: which op won and its value. */
export interface Selected<T> {
  index: number;
  value: T;
}

/** An op over a group of inputs; subclasses decide when it settles. */
export abstract class GroupOp<T, R> extends Op<R> {
  private subscribed = false;

  constructor(protected readonly inputs: Array<Awaitable<T>>) {
    super();
  }

  then(onValue?: ((value: R) => unknown) | null, onError?: ((reason: any) => unknown) | null): void {
    super.then(onValue, onError);
    if (this.subscribed) return;
    this.subscribed = true;
    const inputs = this.inputs;
    for (let i = 0; i < inputs.length && !this.isDone(); i++) this.watchInput(i);
  }

  /** Called once per input as it settles (until the group is done). */
  protected abstract settled(index: number, ok: boolean, value: unknown): void;

  /** Settles the group and delivers at once (see the implementation notes). */
  protected finish(ok: boolean, value: unknown): void {
    if (ok) this.complete(value as R);
    else this.fail(value);
    this.deliver();
  }

  /** Cancels every input except `keep` (-1: all). */
  protected cancelInputs(keep: number): void {
    const inputs = this.inputs;
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i];
      if (i !== keep && typeof input.cancel === "function") input.cancel();
    }
  }

  protected abandon(): void {
    this.cancelInputs(-1);
  }

  /** Starts watching input `index`: by default subscribes, so `settled` gets its result. */
  protected watchInput(index: number): void {
    const self = this;
    this.inputs[index].then(
      function (value: T) {
        if (!self.isDone()) self.settled(index, true, value);
      },
      function (error: unknown) {
        if (!self.isDone()) self.settled(index, false, error);
      },
    );
  }
}

/** Checks that `ops` is an array of thenables and copies it. */
export function checkInputs<T>(ops: ArrayLike<Awaitable<T>>): Array<Awaitable<T>> {
  if (!Array.isArray(ops)) throw invalidArgument("ops", "an array of ops", ops);
  const copy: Array<Awaitable<T>> = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (op === null || (typeof op !== "object" && typeof op !== "function") || typeof op.then !== "function") {
      throw invalidArgument("ops[" + i + "]", "an op or another thenable", op);
    }
    copy.push(op);
  }
  return copy;
}

class SelectOp<T> extends GroupOp<T, Selected<T>> {
  protected settled(index: number, ok: boolean, value: unknown): void {
    this.cancelInputs(index);
    this.finish(ok, ok ? { index: index, value: value as T } : value);
  }
}

/**
 * Waits for the first of `ops` to settle: resolves `{ index, value }` or rejects with its
 * error; every other op is cancelled. `select([])` is a `TypeError`.
 * Allocates: per call (the op, a callback pair per input, the result).
 *
 * @example
 * ```ts
 * const [tx, fast] = channel<string>(1);
 * const [, slow] = channel<string>(1);
 * tx.trySend("first");
 * const winner = await select([fast.recv(), slow.recv()]); // the loser is cancelled
 * console.log(winner.index, winner.value); // 0 "first"
 * ```
 */
export function select<T>(ops: ArrayLike<Awaitable<T> | Op<T>>): Op<Selected<T>> {
  const inputs = checkInputs(ops as ArrayLike<Awaitable<T>>);
  if (inputs.length === 0) throw new TypeError("ops must not be empty: select([]) would never settle");
  return new SelectOp<T>(inputs);
}
