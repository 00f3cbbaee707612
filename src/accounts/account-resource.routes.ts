import { createRoute, type z } from "@hono/zod-openapi";
import { currentAuth, requireAuth, requireRoles } from "../auth/auth.middleware";
import { type AppContext, serviceContext } from "../context";
import type { UserRole } from "../db/schema";
import { hashClientIp } from "../lib/audit";
import {
  createRouter,
  envelopeSchema,
  errorResponse,
  jsonBody,
  jsonResponse,
  requireJson,
} from "../lib/openapi";
import { pageSchema } from "../lib/pagination";
import { loadUserShape } from "../users/users.serializers";
import { type AccountActor, createAccount } from "./account-create.service";
import { type ListedRole, listAccounts } from "./account-list.service";
import { findAccount } from "./account-records";
import { setAccountActive } from "./account-status.service";
import { updateAccount } from "./account-update.service";
import { type AccountInput, AccountListQuerySchema, UserIdParamsSchema } from "./accounts.schemas";

/** One back-office account resource, such as /api/staff/: its role, schemas and readers. */
export interface AccountResource {
  role: UserRole;
  /** Path prefix without the final slash, e.g. `/api/staff`. */
  path: string;
  tag: string;
  shape: z.ZodType;
  createSchema: z.ZodType;
  updateSchema: z.ZodType;
  /** Whether GET on the collection lists accounts here (the applicant list lives elsewhere). */
  listed: boolean;
  /** Roles that may GET one account; every other route is ADMIN only. */
  readRoles: UserRole[];
}

const adminOnly = [requireAuth, requireRoles("ADMIN")];
const idParams = { params: UserIdParamsSchema };
const denied = {
  401: errorResponse("Not signed in, or the token is invalid"),
  403: errorResponse("The signed-in user may not do this"),
};

/** Returns the admin of the request and the keyed IP hash, for audit events. */
export async function requestActor(c: AppContext): Promise<AccountActor> {
  return { userId: currentAuth(c).userId, ipHash: await hashClientIp(c) };
}

/**
 * Builds GET (list) and POST on the collection, GET/PUT/PATCH on `{id}/` and POST
 * `{id}/deactivate/` and `{id}/activate/` for one role. DELETE has no route, so the app's
 * fallback returns 405 `method_not_allowed` with an Allow header.
 */
export function accountResourceRoutes(resource: AccountResource) {
  const router = createRouter();
  if (resource.listed) addListRoute(router, resource);
  addCreateRoute(router, resource);
  addReadRoute(router, resource);
  for (const method of ["put", "patch"] as const) addUpdateRoute(router, resource, method);
  for (const active of [false, true]) addStatusRoute(router, resource, active);
  return router;
}

type Router = ReturnType<typeof createRouter>;

function addListRoute(router: Router, resource: AccountResource) {
  const route = createRoute({
    method: "get",
    path: `${resource.path}/`,
    tags: [resource.tag],
    summary: `List ${resource.role} accounts, page-paginated`,
    description:
      "Filters `is_active`, `email_verified`; `search` (space-separated terms, all must " +
      "match); `ordering` from email, full_name, date_joined, last_login, updated_at, id.",
    middleware: [...adminOnly] as const,
    request: { query: AccountListQuerySchema },
    responses: {
      200: jsonResponse("One page of accounts", pageSchema(resource.shape)),
      400: errorResponse("Invalid filter or ordering"),
      ...denied,
      404: errorResponse("Page out of range"),
    },
  });
  router.openapi(route, async (c) => {
    const { db } = serviceContext(c);
    const page = await listAccounts(c, db, resource.role as ListedRole, c.req.valid("query"));
    return c.json(page, 200);
  });
}

function addCreateRoute(router: Router, resource: AccountResource) {
  const route = createRoute({
    method: "post",
    path: `${resource.path}/`,
    tags: [resource.tag],
    summary: `Create a ${resource.role} account with its profile`,
    middleware: [...adminOnly, requireJson] as const,
    request: jsonBody(resource.createSchema),
    responses: {
      201: jsonResponse("The new account", resource.shape),
      400: errorResponse("Invalid input, email or NIK taken, or a weak password"),
      ...denied,
      415: errorResponse("The body is not JSON"),
    },
  });
  router.openapi(route, async (c) => {
    const input = c.req.valid("json") as AccountInput & { email: string; password: string };
    const actor = await requestActor(c);
    const shape = await createAccount(serviceContext(c), actor, resource.role, input);
    return c.json(shape, 201);
  });
}

function addReadRoute(router: Router, resource: AccountResource) {
  const route = createRoute({
    method: "get",
    path: `${resource.path}/{id}/`,
    tags: [resource.tag],
    summary: `One ${resource.role} account`,
    middleware: [requireAuth, requireRoles(...resource.readRoles)] as const,
    request: idParams,
    responses: {
      200: jsonResponse("The account", resource.shape),
      ...denied,
      404: errorResponse(`No ${resource.role} account has this id, or the id is malformed`),
    },
  });
  router.openapi(route, async (c) => {
    const { db } = serviceContext(c);
    const { id } = c.req.valid("param");
    await findAccount(db, id, resource.role);
    return c.json(await loadUserShape(db, id), 200);
  });
}

function addUpdateRoute(router: Router, resource: AccountResource, method: "put" | "patch") {
  const route = createRoute({
    method,
    path: `${resource.path}/{id}/`,
    tags: [resource.tag],
    summary: `Update a ${resource.role} account`,
    description:
      "PUT and PATCH are both partial. A new password, `is_active: false` and a role change " +
      "end every session of the user.",
    middleware: [...adminOnly, requireJson] as const,
    request: { ...idParams, ...jsonBody(resource.updateSchema) },
    responses: {
      200: jsonResponse("The updated account", resource.shape),
      400: errorResponse("Invalid input, or a change of the admin's own status or role"),
      ...denied,
      404: errorResponse(`No ${resource.role} account has this id, or the id is malformed`),
      415: errorResponse("The body is not JSON"),
    },
  });
  router.openapi(route, async (c) => {
    const target = { id: c.req.valid("param").id, role: resource.role };
    const input = c.req.valid("json") as AccountInput;
    const shape = await updateAccount(serviceContext(c), await requestActor(c), target, input);
    return c.json(shape, 200);
  });
}

function addStatusRoute(router: Router, resource: AccountResource, active: boolean) {
  const action = active ? "activate" : "deactivate";
  const route = createRoute({
    method: "post",
    path: `${resource.path}/{id}/${action}/`,
    tags: [resource.tag],
    summary: active ? "Activate an account" : "Deactivate an account and end its sessions",
    middleware: [...adminOnly] as const,
    request: idParams,
    responses: {
      200: jsonResponse(`Envelope \`${action}d\` with the account`, envelopeSchema(resource.shape)),
      400: errorResponse("Already in that state, or an admin deactivating themself"),
      ...denied,
      404: errorResponse(`No ${resource.role} account has this id, or the id is malformed`),
    },
  });
  router.openapi(route, async (c) => {
    const target = { id: c.req.valid("param").id, role: resource.role };
    const shape = await setAccountActive(serviceContext(c), await requestActor(c), target, active);
    const detail = active ? "Akun berhasil diaktifkan." : "Akun berhasil dinonaktifkan.";
    return c.json({ code: `${action}d`, detail, data: shape }, 200);
  });
}
