import { errorResponse, jsonResponse } from "../lib/openapi";
import { pageSchema } from "../lib/pagination";
import { ApplicantDocumentSchema } from "./documents.schemas";

/** Builds the 401 and 403 responses of a document route, with `forbidden` as the 403 text. */
export function permissionResponses(forbidden: string) {
  return { 401: errorResponse("Not signed in"), 403: errorResponse(forbidden) };
}

/** The 200 of the document list routes. */
export const documentPageResponse = jsonResponse(
  "One page of documents",
  pageSchema(ApplicantDocumentSchema),
);

/** The 200 of the routes that show one document. */
export const documentResponse = jsonResponse("The document", ApplicantDocumentSchema);

/** Responses of both upload routes, apart from the permission and missing-applicant ones. */
export const uploadResponses = {
  201: jsonResponse("First upload of this type", ApplicantDocumentSchema),
  200: jsonResponse("The type's previous file was replaced", ApplicantDocumentSchema),
  400: errorResponse("Missing field, unknown `document_type`, or a `file` the type rejects"),
  413: errorResponse("Body larger than the largest upload limit"),
  415: errorResponse("Body is not multipart/form-data"),
};
