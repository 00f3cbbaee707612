/** The image cannot be processed; retrying the same bytes fails the same way. */
export class ImageRejectedError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "ImageRejectedError";
  }
}

/**
 * The one reason stored for a corrupt or truncated file, whatever the format: the document's
 * processing_error tells staff to ask for a new upload, not which byte was wrong.
 */
export function undecodable(): ImageRejectedError {
  return new ImageRejectedError("image data could not be decoded");
}
