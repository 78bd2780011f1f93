/**
 * Times as people read them: "3 min ago", "yesterday at 14:05", "12 Mar 2026, 09:30", with the exact
 * time (ISO 8601 and the full local date and time) kept for a hover title and a `<time datetime>`. Pure:
 * `now` is passed in, so tests need no clock.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A `Date` from an API value (ISO 8601 date-time or a plain date), or null when it is not one. */
export function parseTime(value) {
  if (value === null || value === undefined || value === "") return null;
  const date = value instanceof Date ? value : new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00` : value);
  return Number.isNaN(date.getTime()) ? null : date;
}

const clock = (date, locale) => date.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });

/** "12 Mar 2026, 09:30:12": the exact local date and time (the hover title). */
export function exactTime(value, locale = undefined) {
  const date = parseTime(value);
  if (!date) return "";
  return date.toLocaleString(locale, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    timeZoneName: "short",
  });
}

/**
 * A time relative to `now`: "just now", "5 min ago", "2 h ago" (today), "yesterday at 14:05", "Tue at
 * 09:12" (this week), else the date and the time. A time in the future (a clock skew of a few seconds)
 * reads "just now".
 */
export function relativeTime(value, now = new Date(), locale = undefined) {
  const date = parseTime(value);
  if (!date) return "—";
  const ago = now.getTime() - date.getTime();
  if (ago < MINUTE) return "just now";
  if (ago < HOUR) return `${Math.floor(ago / MINUTE)} min ago`;
  const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  if (date.getTime() >= startOfToday) return `${Math.floor(ago / HOUR)} h ago`;
  if (date.getTime() >= startOfToday - DAY) return `yesterday at ${clock(date, locale)}`;
  if (date.getTime() >= startOfToday - 6 * DAY) {
    return `${date.toLocaleDateString(locale, { weekday: "short" })} at ${clock(date, locale)}`;
  }
  const sameYear = date.getFullYear() === now.getFullYear();
  const day = date.toLocaleDateString(locale, { year: sameYear ? undefined : "numeric", month: "short", day: "numeric" });
  return `${day}, ${clock(date, locale)}`;
}
