import { createRouter } from "../lib/openapi";

export const ocrPreviewRoutes = createRouter();
