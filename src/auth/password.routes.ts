import { createRouter } from "../lib/openapi";

export const passwordRoutes = createRouter();
