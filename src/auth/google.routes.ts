import { createRouter } from "../lib/openapi";

export const googleRoutes = createRouter();
