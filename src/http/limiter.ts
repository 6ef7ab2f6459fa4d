// Bounds the requests in flight: one per run for all Platform traffic, so a wave of lookups over
// many templates queues here (first come, first served) instead of overrunning the gateway.
import { CancelledError } from '../core/errors.js';

export const DEFAULT_MAX_IN_FLIGHT = 16;

export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  /** The most requests that were in flight at once (for benchmarks and tests). */
  peak = 0;

  constructor(readonly max: number = DEFAULT_MAX_IN_FLIGHT) {}

  async run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new CancelledError());
    if (this.active < this.max) {
      this.take();
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const admit = () => {
        signal?.removeEventListener('abort', onAbort);
        this.take();
        resolve();
      };
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(admit), 1);
        reject(new CancelledError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(admit);
    });
  }

  private take(): void {
    this.active++;
    this.peak = Math.max(this.peak, this.active);
  }

  private release(): void {
    this.active--;
    this.waiting.shift()?.();
  }
}
