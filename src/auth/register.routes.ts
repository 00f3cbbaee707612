import { createRouter } from "../lib/openapi";

export const registerRoutes = createRouter();
