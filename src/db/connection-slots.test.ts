import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ConnectionSlots } from "./connection-slots";

// Fake timers separate the clock from the timers: `setSystemTime` moves the clock without
// running the heartbeat, as when workerd has cancelled the request that owns it, and
// `advanceTimersByTime` moves both, as for a request that is still running.

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const SILENT_MS = 6_000;

describe("ConnectionSlots", () => {
  it("keeps the slot of a holder whose heartbeat runs", async () => {
    const slots = new ConnectionSlots(1);
    const release = await slots.acquire(0);
    expect(release).not.toBeNull();

    vi.advanceTimersByTime(SILENT_MS);

    expect(await slots.acquire(0)).toBeNull();
    release!();
    expect(await slots.acquire(0)).not.toBeNull();
  });

  it("frees the slot of a holder whose heartbeat stopped", async () => {
    const slots = new ConnectionSlots(1);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(await slots.acquire(0)).not.toBeNull();

    vi.setSystemTime(Date.now() + SILENT_MS);

    expect(await slots.acquire(0)).not.toBeNull();
    const warnings = warn.mock.calls.map((call) => JSON.parse(String(call[0])));
    expect(warnings).toContainEqual(
      expect.objectContaining({ message: "stale connection slot freed", max_connections: 1 }),
    );
  });

  it("counts a freed stale slot once when its holder releases it later", async () => {
    const slots = new ConnectionSlots(1);
    const stale = await slots.acquire(0);
    vi.setSystemTime(Date.now() + SILENT_MS);
    const next = await slots.acquire(0);
    expect(next).not.toBeNull();

    stale!();

    expect(await slots.acquire(0)).toBeNull();
    next!();
    expect(await slots.acquire(0)).not.toBeNull();
  });
});
