// Asia/Jakarta (WIB) has been UTC+7 without daylight saving time since 1964, so a fixed offset
// gives the same result as Intl time zone data and costs no Intl.DateTimeFormat per value.
const JAKARTA_OFFSET_MS = 7 * 60 * 60 * 1000;
const JAKARTA_OFFSET = "+07:00";

/** Shifts `date` so that its UTC fields read as the wall-clock time in Jakarta. */
function toJakartaWallClock(date: Date): Date {
  return new Date(date.getTime() + JAKARTA_OFFSET_MS);
}

/**
 * Formats a timestamp as ISO 8601 in Asia/Jakarta with milliseconds and the `+07:00` offset,
 * for example `2026-12-04T23:05:01.123+07:00`. Returns null for null.
 */
export function formatDateTime(date: Date | null): string | null {
  if (date === null) return null;
  const iso = toJakartaWallClock(date).toISOString();
  return `${iso.slice(0, -1)}${JAKARTA_OFFSET}`;
}

/** Formats the Jakarta calendar day of a timestamp as `YYYY-MM-DD`. Returns null for null. */
export function formatDate(date: Date | null): string | null {
  if (date === null) return null;
  return toJakartaWallClock(date).toISOString().slice(0, 10);
}

/** Returns today's date in Jakarta as `YYYY-MM-DD`. Tests pass `now` to fix the clock. */
export function todayInJakarta(now: Date = new Date()): string {
  return toJakartaWallClock(now).toISOString().slice(0, 10);
}

/**
 * Returns the age in whole years on `today` of someone born on `birthDate`. Both are
 * `YYYY-MM-DD`. People born on 29 February turn a year older on 1 March in common years.
 */
export function ageOn(birthDate: string, today: string): number {
  const [birthYear, birthMonth, birthDay] = birthDate.split("-").map(Number) as [
    number,
    number,
    number,
  ];
  const [year, month, day] = today.split("-").map(Number) as [number, number, number];
  const birthdayPassed = month > birthMonth || (month === birthMonth && day >= birthDay);
  return year - birthYear - (birthdayPassed ? 0 : 1);
}
