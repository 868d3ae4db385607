/**
 * `select([ops])`: the first op to settle wins and every other op is cancelled.
 *
 * @example
 * const r = await select([rx.recv(), sleep(100)]);
 * if (r.index === 1) console.log("timed out; no message was taken");
 * else console.log("got", r.value);   // r.value: the message (typed from the inputs)
 *
 * Losers are cancelled with `op.cancel()`, so a loser that had already received a resource
 * (a permit, a message) gives it back: nothing is lost and nothing is delivered twice.
 * Inputs may be any thenables; only those with a `cancel` method can be cancelled.
 *
 * Implementation notes (shared with `join`/`tryJoin` through `GroupOp`; rules of
 * `src/core/op.ts`):
 * - A group claims its op inputs when it is created: it is told when each becomes done and
 *   their results stay in them. Other thenables (and ops already observed or owned
 *   elsewhere) are subscribed to with `then`.
 * - The group completes without taking its inputs. Its `commit` takes the ones it keeps
 *   through the one exit (their commit hooks run then: a slot is freed, a buffer filled);
 *   its `giveBack` and `abandon` cancel them, so cancelling a done group still returns
 *   everything its inputs hold.
 * - Inputs already done at creation are looked at in index order, so the lowest index wins
 *   (like Tokio's `biased` select).
 * - A group completes (or fails) before it cancels its other inputs; from then on their
 *   completions are ignored.
 */

import { signalOf, WaitOptions } from "../core/cancel";
import { invalidArgument } from "../core/errors";
import { Op, OpOwner } from "../core/op";
import { isThenable } from "./base";

/** Anything awaitable; `cancel` is used when present. */
export interface Awaitable<T> {
  then(onValue: (value: T) => unknown, onError: (error: unknown) => unknown): unknown;
  cancel?: (reason?: unknown) => boolean;
}

/** What `select` resolves with: which op won and its value. */
export interface Selected<T, I extends number = number> {
  index: I;
  value: T;
}

/** `select`'s result for the inputs `Ops`: a union with one member per input (a tuple keeps its indices). */
export type SelectResult<Ops extends readonly unknown[]> = {
  [K in keyof Ops]: Selected<Awaited<Ops[K]>, K extends `${infer N extends number}` ? N : number>;
}[number];

/** What `takeInput` returns when the input no longer holds a value (never a value itself). */
export const GONE: unknown = { gone: true };

/** An op over a group of inputs; subclasses decide when it completes. */
export abstract class GroupOp<R> extends Op<R> implements OpOwner {
  /** Per input: true when this group owns it (an op it claimed). */
  protected readonly owned: boolean[] = [];

  constructor(protected readonly inputs: Array<Awaitable<unknown>>) {
    super();
  }

  /** @internal Claims or subscribes to every input; returns itself. */
  start(options: WaitOptions | undefined): this {
    const signal = signalOf(options);
    const inputs = this.inputs;
    const owned = this.owned;
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i];
      owned.push(input instanceof Op && input.claim(this, i));
    }
    if (this.failIfAborted(signal)) {
      this.cancelInputs(-1);
      return this;
    }
    this.watch(signal);
    for (let i = 0; i < inputs.length && !this.isDone(); i++) {
      if (owned[i] && (inputs[i] as Op<unknown>).isDone()) this.opCompleted(i);
    }
    for (let i = 0; i < inputs.length && !this.isDone(); i++) {
      if (!owned[i]) this.subscribe(i);
    }
    return this;
  }

  /** @internal OpOwner: input `index` is done; its result is still in it (errors are taken now). */
  opCompleted(index: number): void {
    if (this.isDone()) return;
    const input = this.inputs[index] as Op<unknown>;
    if (input.completedWithValue()) this.inputDone(index, true, undefined);
    else this.inputDone(index, false, input.takeResult());
  }

  /** Input `index` settled (for an owned input with a value, `value` is still in the input). */
  protected abstract inputDone(index: number, ok: boolean, value: unknown): void;

  /**
   * Takes owned input `index`'s value for `commit` and returns it. When the input is no
   * longer holding a value (it was cancelled directly after this group completed), this
   * group fails with its error and every other input is cancelled; returns `GONE` then.
   */
  protected takeInput(index: number): unknown {
    const input = this.inputs[index] as Op<unknown>;
    if (input.completedWithValue()) return input.takeResult();
    this.replaceResult(false, input.takeResult());
    this.cancelInputs(index);
    return GONE;
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

  private subscribe(index: number): void {
    const self = this;
    try {
      this.inputs[index].then(
        function (value: unknown) {
          if (!self.isDone()) self.inputDone(index, true, value);
        },
        function (error: unknown) {
          if (!self.isDone()) self.inputDone(index, false, error);
        },
      );
    } catch (err) {
      // A foreign thenable's then threw: that input failed.
      if (!this.isDone()) this.inputDone(index, false, err);
    }
  }
}

/** Checks that `ops` is an array of thenables and copies it. */
export function checkInputs(ops: ArrayLike<Awaitable<unknown>>): Array<Awaitable<unknown>> {
  if (!Array.isArray(ops)) throw invalidArgument("ops", "an array of ops", ops);
  const copy: Array<Awaitable<unknown>> = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (!isThenable(op)) {
      throw invalidArgument("ops[" + i + "]", "an op or another thenable", op);
    }
    copy.push(op);
  }
  return copy;
}

class SelectOp extends GroupOp<Selected<unknown>> {
  private winner = -1;

  protected inputDone(index: number, ok: boolean, value: unknown): void {
    this.winner = index;
    if (ok) this.complete({ index: index, value: value });
    else this.fail(value);
    this.cancelInputs(index);
  }

  /** The winner's value is taken only now. */
  protected commit(selected: Selected<unknown>): void {
    const i = this.winner;
    if (!this.owned[i]) return;
    const value = this.takeInput(i);
    if (value !== GONE) selected.value = value;
  }

  protected giveBack(): void {
    const winner = this.inputs[this.winner];
    if (this.owned[this.winner] && typeof winner.cancel === "function") winner.cancel();
  }
}

/**
 * Waits for the first of `ops` to settle: resolves `{ index, value }` or rejects with its
 * error; every other op is cancelled. The result type follows the inputs: for
 * `select([rx.recv(), sleep(100)])` it is `{ index: 0; value: T | undefined } | { index: 1;
 * value: void }`. `select([])` is a `TypeError`. `{ signal }` cancels the select (and so every
 * input). Allocates: per call (the op, the result, a callback pair per non-op input).
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
export function select<const Ops extends ReadonlyArray<Awaitable<unknown>>>(ops: Ops, options?: WaitOptions): Op<SelectResult<Ops>> {
  // One phrasing for both mistakes (select([]) would never settle).
  if (!Array.isArray(ops) || ops.length === 0) throw invalidArgument("ops", "a non-empty array of ops or thenables", ops);
  const inputs = checkInputs(ops as ArrayLike<Awaitable<unknown>>);
  return new SelectOp(inputs).start(options) as unknown as Op<SelectResult<Ops>>;
}
