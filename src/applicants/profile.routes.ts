import { createRouter } from "../lib/openapi";

export const applicantProfileRoutes = createRouter();
