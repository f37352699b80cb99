/**
 * Marketing Cloud writes `responseDateTime` as a local time with 7 fractional digits and an offset,
 * e.g. `2018-02-26T15:06:45.4009365-06:00` (its data centres answer in US Central time).
 */

/** The offset the service writes, in minutes east of UTC (US Central standard time). */
export const SERVICE_UTC_OFFSET_MINUTES = -360;

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

/**
 * Formats an instant the way the service does. `ticks` are the 100-nanosecond units below the
 * millisecond (0 to 9999) that a JavaScript date cannot hold.
 *
 * @example
 * ```ts
 * formatServiceDateTime(new Date("2018-02-26T21:06:45.400Z"), 9365); // "2018-02-26T15:06:45.4009365-06:00"
 * ```
 */
export function formatServiceDateTime(instant: Date, ticks = 0, offsetMinutes = SERVICE_UTC_OFFSET_MINUTES): string {
  const local = new Date(instant.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const offset = Math.abs(offsetMinutes);
  return (
    `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    `.${pad(local.getUTCMilliseconds(), 3)}${pad(ticks, 4)}` +
    `${sign}${pad(Math.floor(offset / 60))}:${pad(offset % 60)}`
  );
}
