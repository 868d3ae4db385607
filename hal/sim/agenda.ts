/**
 * Agenda: the simulated network's future, a binary min-heap of items ordered by virtual time
 * and then by insertion order, so two runs with the same seed process the same items in the
 * same order (ties never depend on the heap's internal layout).
 */

export interface AgendaItem {
  /** Virtual ms at which the item is due. */
  at: number;
  /** Insertion number: the tie-break. Set by `push`. */
  order: number;
  run(): void;
}

export class Agenda {
  private readonly heap: AgendaItem[] = [];
  private inserted = 0;

  get length(): number {
    return this.heap.length;
  }

  /** The earliest due time, or -1 when empty. */
  nextTime(): number {
    return this.heap.length > 0 ? this.heap[0].at : -1;
  }

  push(item: AgendaItem): void {
    item.order = this.inserted++;
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      const t = heap[i];
      heap[i] = heap[parent];
      heap[parent] = t;
      i = parent;
    }
  }

  /** Removes and returns the earliest item. */
  pop(): AgendaItem {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop() as AgendaItem;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l], heap[m])) m = l;
        if (r < heap.length && before(heap[r], heap[m])) m = r;
        if (m === i) break;
        const t = heap[i];
        heap[i] = heap[m];
        heap[m] = t;
        i = m;
      }
    }
    return top;
  }
}

function before(a: AgendaItem, b: AgendaItem): boolean {
  return a.at < b.at || (a.at === b.at && a.order < b.order);
}
