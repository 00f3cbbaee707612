import { createRouter } from "../lib/openapi";
import { googleRoutes } from "./google.routes";
import { passwordRoutes } from "./password.routes";
import { registerRoutes } from "./register.routes";
import { tokenRoutes } from "./token.routes";

/** Every `/api/auth/…` route, one file per flow. */
export const authRoutes = createRouter()
  .route("/", tokenRoutes)
  .route("/", registerRoutes)
  .route("/", googleRoutes)
  .route("/", passwordRoutes);
