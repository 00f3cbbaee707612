import type { Hono } from "hono";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const patternCache = new WeakMap<object, { method: string; pattern: RegExp }[]>();

/**
 * Lists the methods that have a route for `path`, for the `Allow` header of a 405. Middleware
 * registered for every method is ignored.
 */
export function allowedMethods(app: Pick<Hono, "routes">, path: string): string[] {
  let patterns = patternCache.get(app);
  if (!patterns) {
    patterns = app.routes
      .filter((route) => (METHODS as readonly string[]).includes(route.method))
      .map((route) => ({ method: route.method, pattern: toPattern(route.path) }));
    patternCache.set(app, patterns);
  }
  const allowed = new Set<string>();
  for (const { method, pattern } of patterns) {
    if (pattern.test(path)) allowed.add(method);
  }
  return [...allowed];
}

/** Converts a Hono path such as `/api/x/:id/` into a RegExp that also accepts no final slash. */
function toPattern(routePath: string): RegExp {
  const trimmed = routePath.replace(/\/+$/, "");
  const source = trimmed
    .split("/")
    .map((segment) => {
      if (segment.startsWith(":")) return "[^/]+";
      if (segment === "*") return ".*";
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return new RegExp(`^${source}/?$`);
}
