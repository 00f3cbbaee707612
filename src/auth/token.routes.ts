import { createRouter } from "../lib/openapi";

export const tokenRoutes = createRouter();
