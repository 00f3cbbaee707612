/**
 * A failed OCR call. `transient` failures (429, 5xx, network) may succeed on a later attempt;
 * the others (bad credentials, an image Vision rejects) fail the same way every time.
 */
export class OcrError extends Error {
  readonly transient: boolean;
  /** HTTP status of the failing response, when there was one. */
  readonly status: number | undefined;
  /** Seconds from a Retry-After header, when the response had one. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    message: string,
    options: { transient: boolean; status?: number; retryAfterSeconds?: number },
  ) {
    super(message);
    this.name = "OcrError";
    this.transient = options.transient;
    this.status = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
