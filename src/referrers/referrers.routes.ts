import { createRouter } from "../lib/openapi";

export const referrerRoutes = createRouter();
