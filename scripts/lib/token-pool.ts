import type { Request } from "autocannon";

/**
 * Builds an autocannon request list that gives each request a token of its own from `tokens`
 * and puts back the token that `nextToken` reads from the response. Autocannon resets a
 * connection's context after every pass over a one-request list, so the tokens live here.
 *
 * With as many tokens as connections, no two requests in flight share a token: a connection
 * returns its token (or the rotated one) before it builds its next request.
 */
export function tokenPoolRequests(
  tokens: string[],
  build: (token: string) => Omit<Request, "setupRequest" | "onResponse">,
  nextToken: (token: string, status: number, body: string) => string | undefined,
): Request[] {
  const pool = [...tokens];
  // A request that timed out never returns its token. Reusing a recent one then keeps the run
  // going, and the server's response to the reuse shows up in the status counts.
  let recent = tokens[0] ?? "";
  return [
    {
      setupRequest: (request, context) => {
        const token = pool.pop() ?? recent;
        (context as { token?: string }).token = token;
        return { ...request, ...build(token) };
      },
      onResponse: (status, body, context) => {
        const sent = (context as { token?: string }).token ?? "";
        const token = nextToken(sent, status, body);
        if (token !== undefined) {
          pool.push(token);
          recent = token;
        }
      },
    },
  ];
}
