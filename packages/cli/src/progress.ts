/**
 * Progress on stderr: a bar on a terminal (cli-progress), plain periodic lines elsewhere (CI,
 * pipes), nothing with --quiet. stdout carries only results, so pipes stay clean.
 */
import type { Writable } from "node:stream";
import { Presets, SingleBar } from "cli-progress";

export interface ProgressState {
  processed: number;
  failed: number;
  /** The most batches the run keeps in flight now (fewer than `ceiling` while throttled). */
  concurrency?: number | undefined;
  /** --concurrency: the most the run ever keeps in flight. */
  ceiling?: number | undefined;
  /** Answers so far that throttled the run (429, or 503 with Retry-After). */
  throttled?: number | undefined;
  /** While the run waits for Marketing Cloud's rate limit to pass: when it resumes (like Date.now()). */
  resumeAt?: number | undefined;
}

export interface Progress {
  update(state: ProgressState): void;
  stop(): void;
}

/**
 * A count with its noun, singular for one: `1 key`, `2 keys`, `1,000 requests`. Every message
 * with a number goes through it.
 */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? noun : plural}`;
}

/**
 * The throttling part of a progress line or bar: `concurrency 4/16`, and while the run waits
 * for the rate limit, `, throttled, resuming in 3s` (whole seconds rounded up, at least 1, so a
 * pause never reads "0s"). Empty when the run has not said its concurrency.
 */
export function throttleText(state: ProgressState, now: number, separator = ", "): string {
  if (state.concurrency === undefined) return "";
  const of = state.ceiling === undefined ? "" : `/${state.ceiling}`;
  return `concurrency ${state.concurrency}${of}${pauseText(state, now, separator)}`;
}

/** `, throttled, resuming in 3s` while the run is paused, else "". */
export function pauseText(state: ProgressState, now: number, separator = ", "): string {
  if (state.resumeAt === undefined || state.resumeAt <= now) return "";
  return `${separator}throttled, resuming in ${Math.max(1, Math.ceil((state.resumeAt - now) / 1000))}s`;
}

/** A plain progress line (no TTY), without its trailing newline. */
export function progressLine(state: ProgressState, total: number | undefined, rate: number, now: number): string {
  const { processed, failed } = state;
  const of = total
    ? `/${total} ${total === 1 ? "key" : "keys"} (${Math.floor((processed / total) * 100)}%)`
    : ` ${processed === 1 ? "key" : "keys"}`;
  const eta = total && rate > 0 ? `, ETA ${Math.max(0, Math.ceil((total - processed) / rate))}s` : "";
  const throttle = throttleText(state, now);
  return `progress: ${processed}${of}, ${rate} keys/s${eta}, ${failed} failed${throttle ? `, ${throttle}` : ""}`;
}

/**
 * The summary's throttling sentence, "" when nothing was throttled:
 * ` Marketing Cloud throttled 7 requests (HTTP 429/503); the run paused 2s in all.`
 */
export function throttleSummary(throttled: number, pausedMs: number | undefined): string {
  if (!(throttled > 0)) return "";
  const paused = !pausedMs ? "" : `; the run paused ${Math.max(1, Math.round(pausedMs / 1000))}s in all`;
  return ` Marketing Cloud throttled ${count(throttled, "request")} (HTTP 429/503)${paused}.`;
}

/**
 * While the run is paused no batch settles, so nothing calls update(): this redraws once a
 * second until the pause ends, so "resuming in Ns" counts down. Display only: unref'd, it never
 * keeps the CLI alive.
 */
function whilePaused(redraw: () => void) {
  let timer: ReturnType<typeof setInterval> | undefined;
  let resumeAt: number | undefined;
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  return {
    check(state: ProgressState) {
      resumeAt = state.resumeAt;
      if (resumeAt !== undefined && resumeAt > Date.now()) {
        if (!timer) {
          timer = setInterval(() => {
            redraw();
            if (!(resumeAt !== undefined && resumeAt > Date.now())) stop();
          }, 1000);
          timer.unref();
        }
      } else stop();
    },
    stop,
  };
}

const rateOf = (processed: number, started: number) => {
  const seconds = (Date.now() - started) / 1000;
  return seconds > 0 ? Math.round(processed / seconds) : 0;
};

/** A bar for a terminal: keys done out of the total (when known), keys/s, ETA and failures. */
function bar(stream: Writable, total: number | undefined): Progress {
  const started = Date.now();
  const known = total !== undefined && total > 0;
  const progress = new SingleBar(
    {
      stream: stream as NodeJS.WriteStream,
      format: known
        ? "{bar} {value}/{total} keys | {rate} keys/s | ETA {eta_formatted} | {failed} failed{throttle}"
        : "{value} keys | {rate} keys/s | {failed} failed{throttle}",
      hideCursor: true,
      etaBuffer: 20,
      fps: 10,
    },
    Presets.shades_classic,
  );
  progress.start(known ? total : 0, 0, { rate: 0, failed: 0, throttle: "" });
  let latest: ProgressState = { processed: 0, failed: 0 };
  const draw = () => {
    const { processed, failed } = latest;
    if (known && processed > total) progress.setTotal(processed);
    const throttle = throttleText(latest, Date.now(), " | ");
    progress.update(processed, { rate: rateOf(processed, started), failed, throttle: throttle && ` | ${throttle}` });
  };
  const paused = whilePaused(draw);
  return {
    update: (state) => {
      latest = state;
      draw();
      paused.check(state);
    },
    stop: () => {
      paused.stop();
      progress.stop();
    },
  };
}

/** Plain lines, at most one per interval, for logs that are not a terminal. */
function lines(stream: Writable, total: number | undefined, intervalMs: number): Progress {
  const started = Date.now();
  let last = started;
  let latest: ProgressState = { processed: 0, failed: 0 };
  const print = () => {
    stream.write(`${progressLine(latest, total, rateOf(latest.processed, started), Date.now())}\n`);
  };
  const maybePrint = () => {
    if (Date.now() - last >= intervalMs) {
      last = Date.now();
      print();
    }
  };
  const paused = whilePaused(maybePrint);
  return {
    update: (state) => {
      latest = state;
      maybePrint();
      paused.check(state);
    },
    stop: () => paused.stop(),
  };
}

/** The progress display for this run. */
export function createProgress(options: {
  stream: Writable & { isTTY?: boolean };
  total: number | undefined;
  quiet: boolean;
  intervalMs: number;
}): Progress {
  if (options.quiet) return { update: () => {}, stop: () => {} };
  return options.stream.isTTY
    ? bar(options.stream, options.total)
    : lines(options.stream, options.total, options.intervalMs);
}
