/**
 * The fault suite's account check: given what a run reported and what the server saw, list every
 * way the report is wrong. An empty list is a pass.
 */
import type { ContactResult, ContactsEvent } from "@sfmc-contacts/client-node";
import type { FaultServer } from "./fault-server.js";

export interface RunReport {
  keys: string[];
  results: ContactResult[];
}

export function violations({ keys, results }: RunReport, server: FaultServer): string[] {
  const problems: string[] = [];
  const seen = new Map<number, number>();
  for (const result of results) seen.set(result.index, (seen.get(result.index) ?? 0) + 1);
  for (let i = 0; i < keys.length; i++) {
    const count = seen.get(i) ?? 0;
    if (count === 0) problems.push(`key #${i} (${keys[i]}) was dropped: no result`);
    if (count > 1) problems.push(`key #${i} (${keys[i]}) was reported ${count} times`);
  }
  for (const [index] of seen)
    if (index < 0 || index >= keys.length) problems.push(`a result for index ${index}, which is not in the input`);
  for (const result of results) {
    if (keys[result.index] !== result.key)
      problems.push(`result #${result.index} names ${result.key}, the input has ${keys[result.index]}`);
    if (result.ok && !server.established.has(result.key))
      problems.push(`${result.key} is reported established, the server never established it`);
    if (!result.ok && !result.reason) problems.push(`${result.key} failed without a reason`);
  }
  if (results.length !== keys.length) problems.push(`${results.length} results for ${keys.length} keys`);
  return problems.slice(0, 20);
}

/** What {@link retryAfterViolations} found: how many retries it judged, and what was wrong. */
export interface RetryAfterCheck {
  /** Retries of an answer that carried Retry-After, each checked against it. */
  judged: number;
  problems: string[];
}

/**
 * Judges Retry-After from what the client saw: its own `retry` events, each naming the status of
 * the answer it retries and the Retry-After it took from it. Every 429, 500 and 503 of the fault
 * server carries `Retry-After`, so a retry of one must have taken it and wait at least that long.
 * A 429 the server wrote after the client had given up (a timeout) never reached the client: its
 * retry names no status and owes it nothing. (What the server wrote is no measure: under load the
 * client may have hung up first, and its retry of the timeout is not early.)
 */
export function retryAfterViolations(events: readonly ContactsEvent[], retryAfterMs: number): RetryAfterCheck {
  const problems: string[] = [];
  let judged = 0;
  for (const event of events) {
    if (event.type !== "retry") continue;
    const { attempt, delayMs, status, retryAfterMs: took } = event;
    if (status === undefined) continue; // a timeout or a network error: there was no answer
    if ([429, 500, 503].includes(status) && took !== retryAfterMs)
      problems.push(
        `retry ${attempt} of a ${status} with Retry-After ${retryAfterMs} ms took ${took ?? "no"} Retry-After`,
      );
    if (took === undefined) continue;
    judged++;
    if (delayMs < took)
      problems.push(`retry ${attempt} after a ${status} with Retry-After ${took} ms came after ${delayMs} ms`);
  }
  return { judged, problems: problems.slice(0, 20) };
}

/** A client event and when the test's listener received it (`Date.now()`). */
export interface StampedEvent {
  at: number;
  event: ContactsEvent;
}

/** The `throttle` event's fields this check reads (see core's ContactsEvent). */
interface ThrottleEvent {
  type: "throttle";
  status: number;
  resumeAt: number;
}

/**
 * Judges the shared gate from the client's own events: each `throttle` event says the gate is
 * closed until its `resumeAt`, so no `request` event may be stamped from `raceMs` after it
 * (a request that had passed the gate just before it closed may still emit its event a few
 * microtasks later) until `slackMs` before `resumeAt` (a timer and `Date.now()` round to the
 * millisecond). Every such request is listed; an empty list is a pass.
 */
export function gateViolations(events: readonly StampedEvent[], slackMs = 2, raceMs = 50): string[] {
  const problems: string[] = [];
  const start = events[0]?.at ?? 0;
  const windows: Array<{ from: number; until: number; status: number; stamp: number }> = [];
  for (const { at, event } of events) {
    const e = event as ContactsEvent | ThrottleEvent;
    if (e.type === "throttle")
      windows.push({ from: at + raceMs, until: e.resumeAt - slackMs, status: e.status, stamp: at });
    if (e.type !== "request") continue;
    const closed = windows.find((w) => at >= w.from && at < w.until);
    if (closed)
      problems.push(
        `request (attempt ${e.attempt}) at +${at - start} ms while the gate was closed: a ${closed.status} at +${closed.stamp - start} ms asked to wait until +${closed.until + slackMs - start} ms`,
      );
  }
  return problems.slice(0, 20);
}
