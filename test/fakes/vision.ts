import type { IncomingMessage, ServerResponse } from "node:http";
import { decodeProtectedHeader, importJWK, type JWK, jwtVerify } from "jose";
import { ktpText } from "./ktp-text";
import type { FakeHandler } from "./server";

/**
 * What the Vision fake does with the next call of one account: `429` and `500` return that
 * HTTP status, `image_error` a per-image `error` with code 3 (INVALID_ARGUMENT, permanent) and
 * `image_unavailable` one with code 14 (UNAVAILABLE, transient).
 */
export type VisionFailure = 429 | 500 | "image_error" | "image_unavailable";

interface AccountPlan {
  failures: VisionFailure[];
  text?: string;
  calls: { imageBytes: number; jpeg: boolean }[];
}

interface OAuthState {
  /** Public keys registered by tests, by service account email. */
  keys: Map<string, JWK>;
  /** Access tokens issued, mapped to the account they were issued to. */
  tokens: Map<string, string>;
  exchanges: Map<string, number>;
}

/**
 * Creates the fakes of Google Cloud Vision (`/vision/…`) and of Google's OAuth 2.0 token
 * endpoint for service accounts (`/google-oauth/…`). An "account" is the API key a call sends,
 * or the service account email behind its Bearer token; tests use a fresh one each, so plans
 * and counters never mix between tests running in parallel.
 * - `POST /vision/v1/images:annotate`: answers in Vision's v1 format, `responses[]` with
 *   `textAnnotations` and `fullTextAnnotation.text` holding a KTP's text, or the planned failure;
 * - `POST /vision/__plan` `{account, failures?, text?}`: plans the next answers of an account;
 * - `GET /vision/__calls?account=`: `{calls: [{imageBytes, jpeg}]}`;
 * - `POST /google-oauth/__keys` `{client_email, jwk}`: registers a service account public key;
 * - `POST /google-oauth/token`: the JWT bearer grant, verifying the RS256 assertion;
 * - `GET /google-oauth/__stats?client_email=`: `{exchanges}`.
 */
export function visionFake(): FakeHandler {
  const plans = new Map<string, AccountPlan>();
  const oauth: OAuthState = { keys: new Map(), tokens: new Map(), exchanges: new Map() };
  const planFor = (account: string) => {
    const plan = plans.get(account) ?? { failures: [], calls: [] };
    plans.set(account, plan);
    return plan;
  };

  return async (request, body, response) => {
    const url = new URL(request.url ?? "/", "http://fake");
    const route = `${request.method} ${url.pathname}`;
    if (url.pathname.startsWith("/google-oauth/")) {
      await handleOAuth(route, url, request, body, response, oauth);
      return true;
    }
    if (!url.pathname.startsWith("/vision/")) return false;

    if (route === "POST /vision/__plan") {
      const { account, failures, text } = JSON.parse(body.toString("utf8"));
      const plan = planFor(account);
      plan.failures.push(...(failures ?? []));
      if (text !== undefined) plan.text = text;
      sendJson(response, 200, {});
    } else if (route === "GET /vision/__calls") {
      sendJson(response, 200, { calls: planFor(url.searchParams.get("account") ?? "").calls });
    } else if (route === "POST /vision/v1/images:annotate") {
      const account = authenticate(request, url, oauth);
      if (account) annotate(planFor(account), body, response);
      else sendGoogleError(response, 401, "UNAUTHENTICATED");
    } else {
      sendJson(response, 404, { error: `no fake route ${route}` });
    }
    return true;
  };
}

function authenticate(request: IncomingMessage, url: URL, oauth: OAuthState): string | null {
  const key = request.headers["x-goog-api-key"] ?? url.searchParams.get("key");
  if (typeof key === "string" && key.length > 0) return key;
  const bearer = request.headers.authorization?.match(/^Bearer (.+)$/)?.[1];
  return bearer ? (oauth.tokens.get(bearer) ?? null) : null;
}

function annotate(plan: AccountPlan, body: Buffer, response: ServerResponse) {
  const request = JSON.parse(body.toString("utf8"))?.requests?.[0];
  const features: { type?: string }[] = request?.features ?? [];
  const content: unknown = request?.image?.content;
  if (typeof content !== "string" || !features.some((f) => f.type === "DOCUMENT_TEXT_DETECTION")) {
    return sendGoogleError(response, 400, "INVALID_ARGUMENT");
  }
  const image = Buffer.from(content, "base64");
  plan.calls.push({ imageBytes: image.length, jpeg: image[0] === 0xff && image[1] === 0xd8 });

  const failure = plan.failures.shift();
  if (failure === 429) return sendGoogleError(response, 429, "RESOURCE_EXHAUSTED");
  if (failure === 500) return sendGoogleError(response, 500, "INTERNAL");
  if (failure === "image_error") {
    return sendJson(response, 200, {
      responses: [{ error: { code: 3, message: "Bad image data." } }],
    });
  }
  if (failure === "image_unavailable") {
    return sendJson(response, 200, {
      responses: [{ error: { code: 14, message: "The service is currently unavailable." } }],
    });
  }
  sendJson(response, 200, { responses: [textResponse(plan.text ?? ktpText())] });
}

/** One AnnotateImageResponse: the whole text first, then one entry per word, as Vision does. */
function textResponse(text: string) {
  const words = text.split(/\s+/).filter(Boolean);
  const box = (x: number, y: number) => ({
    vertices: [
      { x, y },
      { x: x + 40, y },
      { x: x + 40, y: y + 12 },
      { x, y: y + 12 },
    ],
  });
  return {
    textAnnotations: [
      { locale: "id", description: text, boundingPoly: box(10, 10) },
      ...words.map((word, index) => ({ description: word, boundingPoly: box(10, 10 + index) })),
    ],
    fullTextAnnotation: {
      pages: [
        {
          property: { detectedLanguages: [{ languageCode: "id", confidence: 0.97 }] },
          width: 1012,
          height: 638,
          blocks: [],
        },
      ],
      text,
    },
  };
}

async function handleOAuth(
  route: string,
  url: URL,
  request: IncomingMessage,
  body: Buffer,
  response: ServerResponse,
  oauth: OAuthState,
) {
  if (route === "POST /google-oauth/__keys") {
    const { client_email: email, jwk } = JSON.parse(body.toString("utf8"));
    oauth.keys.set(email, jwk);
    return sendJson(response, 200, {});
  }
  if (route === "GET /google-oauth/__stats") {
    const email = url.searchParams.get("client_email") ?? "";
    return sendJson(response, 200, { exchanges: oauth.exchanges.get(email) ?? 0 });
  }
  if (route !== "POST /google-oauth/token") {
    return sendJson(response, 404, { error: `no fake route ${route}` });
  }

  const form = new URLSearchParams(body.toString("utf8"));
  const audience = `http://${request.headers.host}/google-oauth/token`;
  const email = await verifyAssertion(form, audience, oauth);
  if (!email) return sendJson(response, 400, { error: "invalid_grant" });
  const token = `fake-access-${crypto.randomUUID()}`;
  oauth.tokens.set(token, email);
  oauth.exchanges.set(email, (oauth.exchanges.get(email) ?? 0) + 1);
  sendJson(response, 200, { access_token: token, expires_in: 3599, token_type: "Bearer" });
}

/** Returns the service account email of a valid assertion, or null. */
async function verifyAssertion(form: URLSearchParams, audience: string, oauth: OAuthState) {
  const assertion = form.get("assertion");
  if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer" || !assertion) {
    return null;
  }
  try {
    if (decodeProtectedHeader(assertion).alg !== "RS256") return null;
    const issuer = JSON.parse(Buffer.from(assertion.split(".")[1]!, "base64url").toString()).iss;
    const jwk = oauth.keys.get(issuer);
    if (!jwk) return null;
    const key = await importJWK(jwk, "RS256");
    const { payload } = await jwtVerify(assertion, key, {
      algorithms: ["RS256"],
      issuer,
      audience,
    });
    const scopes = String(payload.scope ?? "").split(" ");
    return scopes.includes("https://www.googleapis.com/auth/cloud-vision") ? issuer : null;
  } catch {
    return null;
  }
}

/** Google's JSON error body for a failed HTTP call. */
function sendGoogleError(response: ServerResponse, status: number, reason: string) {
  sendJson(response, status, {
    error: { code: status, message: `fake ${reason}`, status: reason },
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}
