import { createRouter } from "../lib/openapi";

export const applicantSearchRoutes = createRouter();
