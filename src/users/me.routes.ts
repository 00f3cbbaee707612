import { createRouter } from "../lib/openapi";

export const meRoutes = createRouter();
