/**
 * The `k` best of `items` in descending order, by a comparator that is positive
 * when its first argument is better. A bounded min-heap: O(n log k), so a query
 * matching every document still answers quickly when only a page is shown.
 */
export function topK(
  items: readonly number[],
  k: number,
  better: (a: number, b: number) => number,
): number[] {
  if (k <= 0) return [];
  const heap: number[] = [];
  const worse = (i: number, j: number) => better(heap[i] as number, heap[j] as number) < 0;
  const swap = (i: number, j: number) => {
    const t = heap[i] as number;
    heap[i] = heap[j] as number;
    heap[j] = t;
  };
  const down = (start: number) => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && worse(l, m)) m = l;
      if (r < heap.length && worse(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (const item of items) {
    if (heap.length < k) {
      heap.push(item);
      let i = heap.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!worse(i, p)) break;
        swap(i, p);
        i = p;
      }
    } else if (better(item, heap[0] as number) > 0) {
      heap[0] = item;
      down(0);
    }
  }
  return heap.sort((a, b) => better(b, a));
}
