import { z } from "zod";
import type { Config } from "../../env";
import { parseServiceAccount, serviceAccountToken } from "./google-auth";
import { OcrError } from "./ocr-error";

/** Reads the text of one image. */
export interface TextReader {
  /** Returns the full text Vision found, or "" when the image has no text. */
  readText(image: Uint8Array): Promise<string>;
}

const AnnotateResponseSchema = z.object({
  responses: z
    .array(
      z.object({
        fullTextAnnotation: z.object({ text: z.string() }).optional(),
        textAnnotations: z.array(z.object({ description: z.string() })).optional(),
        error: z.object({ code: z.number().int(), message: z.string().optional() }).optional(),
      }),
    )
    .min(1),
});

// google.rpc.Code values that a later attempt may not get: DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED,
// ABORTED, INTERNAL, UNAVAILABLE.
const TRANSIENT_RPC_CODES = new Set([4, 8, 10, 13, 14]);

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Creates a Vision `images:annotate` client with DOCUMENT_TEXT_DETECTION, authenticated by
 * GOOGLE_VISION_API_KEY or else by GOOGLE_SERVICE_ACCOUNT_JSON. Returns null when neither is
 * configured, and OCR is then skipped.
 */
export function createVisionClient(config: Config, kv: KVNamespace): TextReader | null {
  const apiKey = config.GOOGLE_VISION_API_KEY;
  const accountJson = config.GOOGLE_SERVICE_ACCOUNT_JSON;
  if (!apiKey && !accountJson) return null;

  // Appended, not resolved, so an endpoint with a path prefix (a proxy, the test fake) works.
  const url = new URL(`${config.GOOGLE_VISION_ENDPOINT.replace(/\/+$/, "")}/v1/images:annotate`);
  const authorise = async (headers: Headers) => {
    if (apiKey) {
      // A header instead of `?key=`, so the key never appears in a logged URL.
      headers.set("X-Goog-Api-Key", apiKey);
      return;
    }
    const token = await serviceAccountToken(parseServiceAccount(accountJson!), kv);
    headers.set("Authorization", `Bearer ${token}`);
  };

  return {
    async readText(image) {
      const headers = new Headers({ "Content-Type": "application/json" });
      await authorise(headers);
      const response = await post(url, headers, annotateRequest(image));
      return readAnnotation(response);
    },
  };
}

function annotateRequest(image: Uint8Array): string {
  return JSON.stringify({
    requests: [
      {
        image: { content: toBase64(image) },
        features: [{ type: "DOCUMENT_TEXT_DETECTION" }],
        // Indonesian first; Latin-script English labels on the card are read as well.
        imageContext: { languageHints: ["id", "en"] },
      },
    ],
  });
}

async function post(url: URL, headers: Headers, body: string): Promise<Response> {
  try {
    return await fetch(url, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch {
    throw new OcrError("vision could not be reached", { transient: true });
  }
}

async function readAnnotation(response: Response): Promise<string> {
  if (!response.ok) {
    const status = response.status;
    throw new OcrError(`vision answered ${status}`, {
      transient: status === 429 || status === 408 || status >= 500,
      status,
      retryAfterSeconds: parseRetryAfter(response.headers.get("Retry-After")),
    });
  }

  const parsed = AnnotateResponseSchema.safeParse(await response.json().catch(() => null));
  if (!parsed.success) {
    throw new OcrError("vision answered an unexpected body", { transient: true });
  }
  const [result] = parsed.data.responses;
  if (result?.error) {
    const { code } = result.error;
    throw new OcrError(`vision rejected the image with code ${code}`, {
      transient: TRANSIENT_RPC_CODES.has(code),
    });
  }
  return result?.fullTextAnnotation?.text ?? result?.textAnnotations?.[0]?.description ?? "";
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds) : undefined;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  // Chunks keep String.fromCharCode under the engine's argument limit.
  for (let offset = 0; offset < bytes.length; offset += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  }
  return btoa(binary);
}
