import { createRouter } from "../lib/openapi";

export const accountRoutes = createRouter();
