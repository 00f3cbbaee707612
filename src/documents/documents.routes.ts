import { createRouter } from "../lib/openapi";

export const documentRoutes = createRouter();
