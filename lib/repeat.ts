import { log } from "./log";

/**
 * Run `work` every `seconds`, the first time after `firstAfterMs`: never two rounds at once (a round
 * still running when the next is due makes that one skip), a failure logged as `failure` and retried
 * next round, timers that never keep the process alive. Returns a function that stops it.
 */
export function repeatEvery(
  seconds: number,
  firstAfterMs: number,
  failure: string,
  work: () => Promise<void>,
): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await work();
    } catch (err) {
      log.warn(failure, { error: (err as Error).message });
    } finally {
      running = false;
    }
  };
  const first = setTimeout(tick, firstAfterMs);
  const timer = setInterval(tick, seconds * 1000);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
