import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppContext } from "../context";

/** Renders the success envelope `{code, detail, data}`. */
export function envelope<T>(
  c: AppContext,
  code: string,
  detail: string,
  data: T,
  status: ContentfulStatusCode = 200,
) {
  return c.json({ code, detail, data }, status);
}
