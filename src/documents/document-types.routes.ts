import { createRouter } from "../lib/openapi";

export const documentTypeRoutes = createRouter();
