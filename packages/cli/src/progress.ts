/**
 * Progress on stderr: a bar on a terminal (cli-progress), plain periodic lines elsewhere (CI,
 * pipes), nothing with --quiet. stdout carries only results, so pipes stay clean.
 */
import type { Writable } from "node:stream";
import { Presets, SingleBar } from "cli-progress";

export interface ProgressState {
  processed: number;
  failed: number;
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
        ? "{bar} {value}/{total} keys | {rate} keys/s | ETA {eta_formatted} | {failed} failed"
        : "{value} keys | {rate} keys/s | {failed} failed",
      hideCursor: true,
      etaBuffer: 20,
      fps: 10,
    },
    Presets.shades_classic,
  );
  progress.start(known ? total : 0, 0, { rate: 0, failed: 0 });
  return {
    update: ({ processed, failed }) => {
      if (known && processed > total) progress.setTotal(processed);
      progress.update(processed, { rate: rateOf(processed, started), failed });
    },
    stop: () => progress.stop(),
  };
}

/** Plain lines, at most one per interval, for logs that are not a terminal. */
function lines(stream: Writable, total: number | undefined, intervalMs: number): Progress {
  const started = Date.now();
  let last = started;
  let latest: ProgressState = { processed: 0, failed: 0 };
  const print = () => {
    const { processed, failed } = latest;
    const rate = rateOf(processed, started);
    const of = total
      ? `/${total} ${total === 1 ? "key" : "keys"} (${Math.floor((processed / total) * 100)}%)`
      : ` ${processed === 1 ? "key" : "keys"}`;
    const eta = total && rate > 0 ? `, ETA ${Math.max(0, Math.ceil((total - processed) / rate))}s` : "";
    stream.write(`progress: ${processed}${of}, ${rate} keys/s${eta}, ${failed} failed\n`);
  };
  return {
    update: (state) => {
      latest = state;
      if (Date.now() - last >= intervalMs) {
        last = Date.now();
        print();
      }
    },
    stop: () => {},
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
