/**
 * The controller of one establish attempt on the undici transport, in place of
 * `new AbortController()` (core's `attemptControl`). In Node 20 making an AbortSignal costs more
 * than the rest of an attempt (it is an EventTarget whose prototype is set after the fact), and
 * each listener on it costs again: profiled, the signal was the largest single cost the client
 * added to a request over raw undici.
 *
 * It is its own signal: `aborted`, `reason`, `throwIfAborted()` and the `abort` listeners of an
 * AbortSignal, nothing more. That is enough for everything that ever sees it: core's pipeline
 * (`abort(reason)`, `signal.reason`), this client's token manager (its wait for a token request)
 * and the undici transport's own dispatch handler, which only reads `aborted` and adds an `abort`
 * listener (undici itself never sees it). It is never given to `fetch`, `Request` or
 * `AbortSignal.any`, which want a real AbortSignal (the token request itself has its own), nor to
 * an app: the fetch transport keeps core's AbortController. The type says AbortSignal only
 * through a cast, so keep it on these seams.
 * @internal
 */
export class AttemptAbort {
  aborted = false;
  reason: unknown = undefined;
  /** Listeners in the order added; each is called once, on abort. */
  #listeners: Array<() => void> = [];

  /** As a controller's `signal`: this object (typed as what the pipeline hands it on as). */
  get signal(): AbortSignal {
    return this as unknown as AbortSignal;
  }

  /** As `AbortController.abort`: once; no reason gives an `AbortError` DOMException, like Node's. */
  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason === undefined ? new DOMException("This operation was aborted", "AbortError") : reason;
    for (const listener of this.#listeners.splice(0)) {
      // As an EventTarget does: a throwing listener neither stops the others nor the abort; its
      // error surfaces as uncaught, later.
      try {
        listener();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  /**
   * Only `abort` is ever dispatched. As on an AbortSignal, a listener added twice is called once,
   * and one added after the abort never is.
   */
  addEventListener(_type: "abort", listener: () => void): void {
    if (!this.aborted && !this.#listeners.includes(listener)) this.#listeners.push(listener);
  }

  removeEventListener(_type: "abort", listener: () => void): void {
    const at = this.#listeners.indexOf(listener);
    if (at >= 0) this.#listeners.splice(at, 1);
  }
}
