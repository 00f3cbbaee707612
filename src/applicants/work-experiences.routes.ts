import { createRouter } from "../lib/openapi";

export const workExperienceRoutes = createRouter();
