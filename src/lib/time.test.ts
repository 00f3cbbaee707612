import { describe, expect, it } from "vitest";
import { ageOn, formatDate, formatDateTime, todayInJakarta } from "./time";

describe("formatDateTime", () => {
  it("renders Jakarta wall-clock time with +07:00", () => {
    const value = formatDateTime(new Date("2026-12-04T16:05:01.123Z"));
    expect(value).toBe("2026-12-04T23:05:01.123+07:00");
  });

  it("moves to the next day after 17:00 UTC", () => {
    expect(formatDateTime(new Date("2026-12-31T17:00:00.000Z"))).toBe(
      "2027-01-01T00:00:00.000+07:00",
    );
  });

  it("returns null for null", () => {
    expect(formatDateTime(null)).toBeNull();
  });

  it("names the same instant as the input", () => {
    const instant = new Date("2026-03-01T01:02:03.456Z");
    expect(new Date(formatDateTime(instant)!).getTime()).toBe(instant.getTime());
  });
});

describe("formatDate and todayInJakarta", () => {
  it("uses the Jakarta calendar day", () => {
    expect(formatDate(new Date("2026-12-04T16:59:59.999Z"))).toBe("2026-12-04");
    expect(formatDate(new Date("2026-12-04T17:00:00.000Z"))).toBe("2026-12-05");
  });

  it("returns null for null", () => {
    expect(formatDate(null)).toBeNull();
  });

  it("computes today from an injected clock", () => {
    expect(todayInJakarta(new Date("2026-06-30T18:30:00Z"))).toBe("2026-07-01");
  });
});

describe("ageOn", () => {
  it.each([
    ["2000-06-15", "2018-06-14", 17],
    ["2000-06-15", "2018-06-15", 18],
    ["2000-02-29", "2018-02-28", 17],
    ["2000-02-29", "2018-03-01", 18],
    ["1980-12-31", "2026-01-01", 45],
  ])("born %s is %i on %s", (birth, today, expected) => {
    expect(ageOn(birth, today)).toBe(expected);
  });
});
