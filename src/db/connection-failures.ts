/**
 * Codes postgres.js gives a connection that never opened: the server did not respond in time
 * or refused it. No statement was sent, so nothing was written and the client may retry.
 */
const CONNECT_FAILURE_CODES = new Set([
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EHOSTUNREACH",
]);

/**
 * Part of the message workerd's `connect()` (cloudflare:sockets) throws when the address
 * refuses the connection. That error carries no code to recognise it by.
 */
const WORKERD_CONNECT_FAILURE = "cannot connect to the specified address";

/**
 * Tells why the database could not be reached when `error` (or a cause of it, since drizzle
 * wraps driver errors) is a failure to open a connection, else undefined.
 */
export function databaseConnectFailure(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && CONNECT_FAILURE_CODES.has(code)) return code;
    if (current.message.includes(WORKERD_CONNECT_FAILURE)) return "connect_refused";
    current = current.cause;
  }
  return undefined;
}
