import type postgres from "postgres";
import * as postgresExports from "postgres";
import { AppError } from "../lib/errors";
import { ConnectionSlots } from "./connection-slots";

type SocketFactory = NonNullable<postgres.Options["socket"]>;

/**
 * The socket function of postgres.js's Workers entry (`src/cf.js` of postgres 4.2.0, chosen by
 * the `workerd` export condition), which opens a `cloudflare:sockets` connection. Its Node entry
 * exports none, so scripts under Node connect without a limit.
 */
const runtimeSocket = (postgresExports as unknown as { socket?: SocketFactory }).socket;

/** The `Retry-After` of the 503, in seconds. */
const RETRY_AFTER_SECONDS = 5;

/**
 * A 503 for a request that waited longer than the configured time for a database connection.
 * The overload is temporary, so clients should retry after `Retry-After`.
 */
export const databaseBusy = () =>
  new AppError(
    503,
    "service_unavailable",
    "Server sedang sibuk. Silakan coba lagi dalam beberapa detik.",
    undefined,
    { "Retry-After": String(RETRY_AFTER_SECONDS) },
  );

export interface ConnectionLimit {
  maxConnections: number;
  acquireTimeoutMs: number;
}

// One pool of slots per maximum, shared by every connection of the isolate. An isolate has one
// configuration, so in practice the map has one entry. Tests add their own small maximums.
const slotPools = new Map<number, ConnectionSlots>();

function slotsFor(maxConnections: number): ConnectionSlots {
  let slots = slotPools.get(maxConnections);
  if (!slots) {
    slots = new ConnectionSlots(maxConnections);
    slotPools.set(maxConnections, slots);
  }
  return slots;
}

/**
 * Waits for one of the isolate's connection slots and resolves with the function that frees
 * it. Rejects with `databaseBusy()` when no slot is free within `acquireTimeoutMs`.
 */
export async function acquireConnectionSlot(limit: ConnectionLimit): Promise<() => void> {
  const release = await slotsFor(limit.maxConnections).acquire(limit.acquireTimeoutMs);
  if (!release) throw databaseBusy();
  return release;
}

/**
 * Returns a postgres.js `socket` option that keeps a connection slot from before the TCP
 * connect until the socket closes or the request that opened it is cancelled, so an isolate
 * never has more than `maxConnections` open and further requests wait in arrival order
 * instead of overrunning the server. Returns undefined outside Workers, where postgres.js
 * opens its own Node sockets.
 */
export function limitedSocket(limit: ConnectionLimit): SocketFactory | undefined {
  const open = runtimeSocket;
  if (!open) return undefined;

  return async (options, host, port) => {
    const release = await acquireConnectionSlot(limit);
    try {
      const socket = await open(options, host, port);
      // The Workers socket emits `close` for every way it ends while its request runs, and a
      // second call does nothing. A cancelled request runs no more code, so ConnectionSlots
      // frees that slot once the request's heartbeat timer stops.
      socket.on("close", release);
      return socket;
    } catch (error) {
      release();
      throw error;
    }
  };
}
