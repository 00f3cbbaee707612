import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FakeHandler } from "./server";

/** An email the fake accepted, as Resend would store it. */
export interface RecordedEmail {
  id: string;
  from: string;
  to: string[];
  subject: string;
  html: string | null;
  text: string | null;
  idempotency_key: string | null;
  created_at: string;
}

interface PlannedFailure {
  status: number;
  remaining: number;
}

const ERROR_NAMES: Record<number, string> = {
  400: "validation_error",
  401: "missing_api_key",
  403: "invalid_api_key",
  422: "missing_required_field",
  429: "rate_limit_exceeded",
  500: "internal_server_error",
};

/**
 * Creates a fake of Resend's `POST /emails` under `/resend/`, responding in Resend's formats: 200 `{id}`,
 * errors `{statusCode, name, message}`. Repeating an Idempotency-Key returns the first response
 * without recording a second email. Test-only routes:
 * - `GET /resend/__messages?to=EMAIL`: the emails accepted for that recipient, oldest first;
 * - `POST /resend/__failures` `{to, status, count}`: the next `count` sends to `to` fail with
 *   `status` (a 429 carries `Retry-After: 1`).
 */
export function resendFake(): FakeHandler {
  const emails: RecordedEmail[] = [];
  const idempotentAnswers = new Map<string, string>();
  const failures = new Map<string, PlannedFailure>();

  return (request, body, response) => {
    const url = new URL(request.url ?? "/", "http://fake");
    if (!url.pathname.startsWith("/resend/")) return false;
    const route = `${request.method} ${url.pathname}`;

    if (route === "GET /resend/__messages") {
      const to = (url.searchParams.get("to") ?? "").toLowerCase();
      sendJson(response, 200, { data: emails.filter((email) => email.to.includes(to)) });
    } else if (route === "POST /resend/__failures") {
      const plan = JSON.parse(body.toString("utf8")) as {
        to: string;
        status: number;
        count: number;
      };
      failures.set(plan.to.toLowerCase(), { status: plan.status, remaining: plan.count });
      sendJson(response, 200, { ok: true });
    } else if (route === "POST /resend/emails") {
      acceptEmail(request, body, response, { emails, idempotentAnswers, failures });
    } else {
      sendError(response, 404, "not_found", "The requested endpoint does not exist.");
    }
    return true;
  };
}

function acceptEmail(
  request: IncomingMessage,
  body: Buffer,
  response: ServerResponse,
  state: {
    emails: RecordedEmail[];
    idempotentAnswers: Map<string, string>;
    failures: Map<string, PlannedFailure>;
  },
) {
  if (!/^Bearer re_\S+$/.test(request.headers.authorization ?? "")) {
    return sendError(
      response,
      401,
      "missing_api_key",
      "Missing API key in the authorization header.",
    );
  }
  const payload = parsePayload(body);
  if (!payload) {
    return sendError(response, 422, "missing_required_field", "Missing `from`, `to` or `subject`.");
  }

  const failure = payload.to.map((to) => state.failures.get(to)).find((plan) => plan?.remaining);
  if (failure) {
    failure.remaining -= 1;
    if (failure.status === 429) response.setHeader("Retry-After", "1");
    const name = ERROR_NAMES[failure.status] ?? "application_error";
    return sendError(response, failure.status, name, "Failure planned by the test.");
  }

  const key = headerValue(request.headers["idempotency-key"]);
  const previous = key ? state.idempotentAnswers.get(key) : undefined;
  if (previous) return sendJson(response, 200, { id: previous });

  const id = randomUUID();
  state.emails.push({ id, ...payload, idempotency_key: key, created_at: new Date().toISOString() });
  if (key) state.idempotentAnswers.set(key, id);
  sendJson(response, 200, { id });
}

function parsePayload(body: Buffer) {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    return null;
  }
  const to = typeof json.to === "string" ? [json.to] : json.to;
  const valid =
    typeof json.from === "string" &&
    typeof json.subject === "string" &&
    Array.isArray(to) &&
    to.length > 0 &&
    to.every((address) => typeof address === "string");
  if (!valid) return null;
  return {
    from: json.from as string,
    to: (to as string[]).map((address) => address.toLowerCase()),
    subject: json.subject as string,
    html: typeof json.html === "string" ? json.html : null,
    text: typeof json.text === "string" ? json.text : null,
  };
}

function headerValue(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

function sendError(response: ServerResponse, status: number, name: string, message: string) {
  sendJson(response, status, { statusCode: status, name, message });
}

function sendJson(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}
