import type { ServerResponse } from "node:http";
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import type { FakeHandler } from "./server";

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: Record<string, unknown>;
}

/**
 * Creates a fake of Google's ID token key set under `/google/`, with one RSA key pair generated
 * when the first request arrives:
 * - `GET /google/certs`: the public key as a JWKS, like https://www.googleapis.com/oauth2/v3/certs;
 * - `POST /google/__sign` (test only): signs the JSON claims of the body exactly as given, with
 *   RS256 and the key's `kid`, and returns `{token}`. Tests choose `aud`, `iss`, `exp` and
 *   `email_verified` themselves, so they can also make tokens that must be rejected.
 */
export function googleFake(): FakeHandler {
  let signingKey: Promise<SigningKey> | undefined;

  return async (request, body, response) => {
    const url = new URL(request.url ?? "/", "http://fake");
    if (!url.pathname.startsWith("/google/")) return false;
    signingKey ??= createSigningKey();
    const key = await signingKey;
    const route = `${request.method} ${url.pathname}`;

    if (route === "GET /google/certs") {
      sendJson(response, 200, { keys: [key.publicJwk] });
      return true;
    }
    if (route === "POST /google/__sign") {
      const claims = JSON.parse(body.toString("utf8")) as JWTPayload;
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT" })
        .sign(key.privateKey);
      sendJson(response, 200, { token });
      return true;
    }
    sendJson(response, 404, { error: `no fake route ${route}` });
    return true;
  };
}

async function createSigningKey(): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { modulusLength: 2048 });
  const kid = `fake-google-${crypto.randomUUID()}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  return { kid, privateKey, publicJwk };
}

function sendJson(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}
