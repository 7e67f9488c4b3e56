// Group commit for one kind of write: calls that arrive while earlier batches are still at the
// database are sent together as the next batch. Under light load every call goes out alone at once (no
// timer, no added latency); under heavy load the database sees a few multi-row statements instead of
// many single-row ones. Each caller still gets its own result or its own error.

export interface CoalesceOptions<I> {
  /** Batches at the database at the same time. */
  maxInFlight: number;
  /** Items per batch at most. */
  maxBatch: number;
  /** Items that must not share a batch (e.g. the same idempotency key): the later one waits for the next. */
  keyOf?: (item: I) => string | null;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (err: unknown) => void;
}

/**
 * `run` gets a batch and returns one settled outcome per item, in order: a value, or an Error for that
 * item alone. If `run` itself throws, every item of the batch gets that error.
 */
export function coalesce<I, O>(
  run: (items: I[]) => Promise<(O | Error)[]>,
  options: CoalesceOptions<I>,
): (item: I) => Promise<O> {
  const queue: Pending<I, O>[] = [];
  let inFlight = 0;

  const take = () => {
    const batch: Pending<I, O>[] = [];
    const keys = new Set<string>();
    for (let i = 0; i < queue.length && batch.length < options.maxBatch; ) {
      const key = options.keyOf?.(queue[i].item) ?? null;
      if (key !== null && keys.has(key)) {
        i++;
        continue;
      }
      if (key !== null) keys.add(key);
      batch.push(queue.splice(i, 1)[0]);
    }
    return batch;
  };

  const pump = () => {
    while (inFlight < options.maxInFlight && queue.length > 0) {
      const batch = take();
      inFlight++;
      run(batch.map((p) => p.item))
        .then(
          (outcomes) => {
            batch.forEach((p, i) => {
              const o = outcomes[i];
              if (o instanceof Error) p.reject(o);
              else p.resolve(o);
            });
          },
          (err) => {
            for (const p of batch) p.reject(err);
          },
        )
        .finally(() => {
          inFlight--;
          pump();
        });
    }
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      pump();
    });
}
