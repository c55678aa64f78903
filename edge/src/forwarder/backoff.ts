/**
 * Exponential backoff with full jitter (a random delay up to the exponential ceiling): 500 stores
 * whose WAN comes back at the same moment must not reconnect to the hub in lock-step.
 */
export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  #attempt = 0;

  constructor(initialMs: number, maxMs: number) {
    this.#initialMs = initialMs;
    this.#maxMs = maxMs;
  }

  nextDelayMs(): number {
    const ceiling = Math.min(this.#maxMs, this.#initialMs * 2 ** this.#attempt);
    this.#attempt++;
    return this.#initialMs / 2 + Math.random() * (ceiling - this.#initialMs / 2);
  }

  reset(): void {
    this.#attempt = 0;
  }
}
