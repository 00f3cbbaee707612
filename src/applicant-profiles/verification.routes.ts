import { createRouter } from "../lib/openapi";

export const verificationRoutes = createRouter();
