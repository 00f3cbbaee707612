// The requests of `npm run load:test` and the checks on the shape of each response.
import { randomInt } from "node:crypto";
import {
  type Credentials,
  randomPassword,
  registrationForm,
  type TokenPair,
  uniqueEmail,
} from "./bench-accounts";

export type ActionName =
  | "document-types"
  | "provinces"
  | "login"
  | "login-wrong-password"
  | "refresh"
  | "me"
  | "register"
  | "profile-patch";

/** One response, with what the checks after the run need to know about its request. */
export interface ResponseRecord {
  action: ActionName;
  ip: string;
  status: number;
  /** Milliseconds from the start of the run to sending the request and to its response. */
  sentAt: number;
  at: number;
  /** True when the request carried an access token, so limits count it per user. */
  authenticated: boolean;
  /** The account a login was for, the email a registration created, or the client's account. */
  email: string;
  /** The problem found in the shape of the response, if any. */
  problem?: string;
}

/** A simulated client: its address, its account and the tokens of its last sign-in. */
export interface Client {
  ip: string;
  account: Credentials;
  tokens?: TokenPair;
}

/** Destination of the requests: wrangler's public address, or the Worker's socket behind it. */
export interface Target {
  url: string;
  /** Headers every request carries, such as the secret wrangler's proxy adds. */
  headers: Record<string, string>;
}

export interface ActionContext {
  target: Target;
  client: Client;
  /** Accounts that take only wrong passwords, to trigger the failed-login lock. */
  lockTargets: string[];
  /** Pre-built registration forms with unique emails and NIKs, so the run spends no CPU. */
  takeRegistration: () => { form: FormData; email: string };
}

type Shape = (body: unknown) => string | undefined;

/** Relative weights of the mix; reads outnumber writes as they do in production. */
export const ACTION_WEIGHTS: Record<ActionName, number> = {
  "document-types": 25,
  provinces: 15,
  login: 10,
  "login-wrong-password": 8,
  refresh: 10,
  me: 20,
  register: 4,
  "profile-patch": 8,
};

export function pickAction(): ActionName {
  const entries = Object.entries(ACTION_WEIGHTS) as [ActionName, number][];
  let roll = randomInt(entries.reduce((sum, [, weight]) => sum + weight, 0));
  for (const [name, weight] of entries) {
    roll -= weight;
    if (roll < 0) return name;
  }
  return entries[0]![0];
}

/** Sends one request of `action` and records its response with any shape problem found. */
export async function perform(action: ActionName, context: ActionContext): Promise<ResponseRecord> {
  const { client } = context;
  const plan = planRequest(action, context);
  const headers = new Headers(plan.init.headers);
  for (const [name, value] of Object.entries(context.target.headers)) headers.set(name, value);
  headers.set("CF-Connecting-IP", client.ip);
  const response = await fetch(`${context.target.url}${plan.path}`, {
    ...plan.init,
    headers,
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  const record: ResponseRecord = {
    action: plan.action,
    ip: client.ip,
    status: response.status,
    sentAt: 0,
    at: 0,
    authenticated: headers.has("Authorization"),
    email: plan.email ?? client.account.email,
  };

  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    record.problem = `not JSON: ${text.slice(0, 80)}`;
    return record;
  }
  record.problem = checkAnswer(response, body, plan.shape);
  if (response.status === 200 && (plan.action === "login" || plan.action === "refresh")) {
    client.tokens = (body as { data: TokenPair }).data;
  }
  if (response.status === 401 && (plan.action === "refresh" || plan.action === "me")) {
    client.tokens = undefined; // a refresh lost to a race; sign in again later
  }
  return record;
}

interface Plan {
  /** The action sent, which is a login when the client has no tokens yet. */
  action: ActionName;
  path: string;
  init: RequestInit;
  shape: Shape;
  email?: string;
}

function planRequest(action: ActionName, context: ActionContext): Plan {
  const { client } = context;
  const json = (method: string, body: unknown, token?: string): RequestInit => ({
    method,
    headers: {
      "Content-Type": "application/json",
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  // Without tokens yet, a client's authenticated actions become a sign-in.
  const signedIn = client.tokens;
  if (!signedIn && (action === "refresh" || action === "me" || action === "profile-patch")) {
    return planRequest("login", context);
  }
  switch (action) {
    case "document-types":
      return {
        action,
        path: "/api/document-types/public/",
        init: {},
        shape: envelopeOf(isArray),
      };
    case "provinces":
      return { action, path: "/api/provinces/", init: {}, shape: isArray };
    case "login":
      return {
        action,
        path: "/api/auth/token/",
        init: json("POST", client.account),
        shape: envelopeOf(hasTokens),
        email: client.account.email,
      };
    case "login-wrong-password": {
      const email = context.lockTargets[randomInt(context.lockTargets.length)]!;
      return {
        action,
        path: "/api/auth/token/",
        init: json("POST", { email, password: randomPassword() }),
        shape: envelopeOf(hasTokens),
        email,
      };
    }
    case "refresh":
      return {
        action,
        path: "/api/auth/token/refresh/",
        init: json("POST", { refresh: signedIn!.refresh }),
        shape: envelopeOf(hasTokens),
      };
    case "me":
      return {
        action,
        path: "/api/me/",
        init: { headers: { Authorization: `Bearer ${signedIn!.access}` } },
        shape: envelopeOf(hasKeys("id", "email", "role", "applicant_profile")),
      };
    case "register": {
      const { form, email } = context.takeRegistration();
      return {
        action,
        path: "/api/auth/register/",
        init: { method: "POST", body: form },
        shape: envelopeOf(hasTokens),
        email,
      };
    }
    case "profile-patch":
      return {
        action,
        path: "/api/applicants/me/profile/",
        init: json("PATCH", { height_cm: 150 + randomInt(40) }, signedIn!.access),
        shape: envelopeOf(hasKeys("id", "verification_status", "height_cm")),
      };
  }
}

/** Checks the status class, the error body of every 4xx and Retry-After on every 429. */
function checkAnswer(response: Response, body: unknown, shape: Shape): string | undefined {
  const { status } = response;
  if (status >= 500) return `status ${status}`;
  if (status >= 400) {
    const error = body as Record<string, unknown>;
    if (typeof error?.detail !== "string" || typeof error.code !== "string") {
      return "error body without detail and code";
    }
    if (typeof error.request_id !== "string") return "error body without request_id";
    if (status === 429 && error.code !== "rate_limited") return `429 with code ${error.code}`;
    if (status === 429 && !/^\d+$/.test(response.headers.get("Retry-After") ?? "")) {
      return "429 without a Retry-After in seconds";
    }
    return undefined;
  }
  if (status >= 300) return `unexpected status ${status}`;
  return shape(body);
}

const isArray: Shape = (body) => (Array.isArray(body) ? undefined : "not an array");

const hasKeys =
  (...keys: string[]): Shape =>
  (body) => {
    if (typeof body !== "object" || body === null) return "not an object";
    const missing = keys.filter((key) => !(key in body));
    return missing.length === 0 ? undefined : `missing ${missing.join(", ")}`;
  };

const hasTokens = hasKeys("user", "access", "refresh");

function envelopeOf(data: Shape): Shape {
  return (body) => {
    const envelope = body as Record<string, unknown> | null;
    if (typeof envelope?.code !== "string" || typeof envelope.detail !== "string") {
      return "not an envelope";
    }
    const problem = data(envelope.data);
    return problem ? `data ${problem}` : undefined;
  };
}

/** Builds `count` registration forms with unique emails and NIKs ahead of the run. */
export function registrationPool(count: number): () => { form: FormData; email: string } {
  const pool = Array.from({ length: count }, () => {
    const credentials = { email: uniqueEmail("load-register"), password: randomPassword() };
    return { form: registrationForm(credentials), email: credentials.email };
  });
  return () => {
    const next = pool.pop();
    if (next) return next;
    const credentials = { email: uniqueEmail("load-register"), password: randomPassword() };
    return { form: registrationForm(credentials), email: credentials.email };
  };
}
