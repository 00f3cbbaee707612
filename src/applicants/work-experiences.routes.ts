import { createRoute, z } from "@hono/zod-openapi";
import { currentAuth, requireAuth, requireRoles } from "../auth/auth.middleware";
import { type AppContext, serviceContext } from "../context";
import type { UserRole } from "../db/schema";
import { urlId } from "../lib/ids";
import { createRouter, errorResponse, jsonBody, jsonResponse, requireJson } from "../lib/openapi";
import { pageQueryFields, pageSchema, paginate } from "../lib/pagination";
import {
  WorkExperienceInputSchema,
  WorkExperiencePatchSchema,
  WorkExperienceSchema,
} from "./work-experience.schema";
import {
  countWorkExperiences,
  createWorkExperience,
  deleteWorkExperience,
  findApplicantProfileId,
  getWorkExperience,
  listWorkExperiences,
  updateWorkExperience,
} from "./work-experiences.service";

/**
 * The two places work experiences live: the applicant's own (`me`) and any applicant's, by
 * user id, for the back-office. Both expose the same five operations.
 */
interface Scope {
  base: string;
  tag: string;
  roles: UserRole[];
  params: z.ZodObject;
  /** The applicant profile whose entries the request reads or writes. */
  profileId: (c: AppContext) => Promise<number>;
}

const entryParams = { id: urlId.openapi({ description: "Work experience id." }) };
const userParams = { user_id: urlId.openapi({ description: "The applicant's user id." }) };

const ownScope: Scope = {
  base: "/api/applicants/me/work_experiences/",
  tag: "Applicant work experiences",
  roles: ["APPLICANT"],
  params: z.object({}),
  profileId: (c) => findApplicantProfileId(serviceContext(c), currentAuth(c).userId),
};

const backOfficeScope: Scope = {
  base: "/api/applicants/{user_id}/work_experiences/",
  tag: "Back-office work experiences",
  roles: ["ADMIN", "STAFF"],
  params: z.object(userParams),
  profileId: (c) => findApplicantProfileId(serviceContext(c), Number(c.req.param("user_id"))),
};

const authErrors = {
  401: errorResponse("Not signed in, or the token is invalid"),
  403: errorResponse("The user's role may not use this endpoint"),
  404: errorResponse(
    "No such applicant or work experience, a malformed id, or a page past the end",
  ),
};
const writeErrors = {
  400: errorResponse("Invalid input"),
  415: errorResponse("The body is not JSON"),
};

const listRoute = (scope: Scope) =>
  createRoute({
    method: "get",
    path: scope.base,
    tags: [scope.tag],
    summary: "List work experiences, page-paginated",
    middleware: [requireAuth, requireRoles(...scope.roles)] as const,
    request: { params: scope.params, query: z.object(pageQueryFields) },
    responses: {
      200: jsonResponse("A page of work experiences", pageSchema(WorkExperienceSchema)),
      ...authErrors,
    },
  });

const createEntryRoute = (scope: Scope) =>
  createRoute({
    method: "post",
    path: scope.base,
    tags: [scope.tag],
    summary: "Add a work experience",
    middleware: [requireAuth, requireRoles(...scope.roles), requireJson] as const,
    request: { params: scope.params, ...jsonBody(WorkExperienceInputSchema) },
    responses: {
      201: jsonResponse("The new work experience", WorkExperienceSchema),
      ...writeErrors,
      ...authErrors,
    },
  });

const entryRoute = (scope: Scope, method: "get" | "delete") =>
  createRoute({
    method,
    path: `${scope.base}{id}/`,
    tags: [scope.tag],
    summary: method === "get" ? "One work experience" : "Delete a work experience",
    middleware: [requireAuth, requireRoles(...scope.roles)] as const,
    request: { params: scope.params.extend(entryParams) },
    responses: {
      200: jsonResponse("The work experience", WorkExperienceSchema),
      204: { description: "Deleted" },
      ...authErrors,
    },
  });

const updateRoute = (scope: Scope, method: "put" | "patch") =>
  createRoute({
    method,
    path: `${scope.base}{id}/`,
    tags: [scope.tag],
    summary: method === "put" ? "Replace a work experience" : "Update a work experience",
    middleware: [requireAuth, requireRoles(...scope.roles), requireJson] as const,
    request: {
      params: scope.params.extend(entryParams),
      ...jsonBody(method === "put" ? WorkExperienceInputSchema : WorkExperiencePatchSchema),
    },
    responses: {
      200: jsonResponse("The updated work experience", WorkExperienceSchema),
      ...writeErrors,
      ...authErrors,
    },
  });

const entryId = (c: AppContext) => Number(c.req.param("id"));

/** Adds the five operations of `scope` to `router`. */
function addScope(router: ReturnType<typeof createRouter>, scope: Scope) {
  return router
    .openapi(listRoute(scope), async (c) => {
      const profileId = await scope.profileId(c);
      const services = serviceContext(c);
      const page = await paginate(c, c.req.valid("query"), {
        count: () => countWorkExperiences(services, profileId),
        rows: (limit, offset) => listWorkExperiences(services, profileId, limit, offset),
      });
      return c.json(page, 200);
    })
    .openapi(createEntryRoute(scope), async (c) => {
      const profileId = await scope.profileId(c);
      const entry = await createWorkExperience(serviceContext(c), profileId, c.req.valid("json"));
      return c.json(entry, 201);
    })
    .openapi(entryRoute(scope, "get"), async (c) => {
      const profileId = await scope.profileId(c);
      return c.json(await getWorkExperience(serviceContext(c), profileId, entryId(c)), 200);
    })
    .openapi(updateRoute(scope, "put"), async (c) => {
      const target = { profileId: await scope.profileId(c), id: entryId(c) };
      const input = c.req.valid("json");
      return c.json(await updateWorkExperience(serviceContext(c), target, input, true), 200);
    })
    .openapi(updateRoute(scope, "patch"), async (c) => {
      const target = { profileId: await scope.profileId(c), id: entryId(c) };
      const input = c.req.valid("json");
      return c.json(await updateWorkExperience(serviceContext(c), target, input, false), 200);
    })
    .openapi(entryRoute(scope, "delete"), async (c) => {
      await deleteWorkExperience(serviceContext(c), await scope.profileId(c), entryId(c));
      return c.body(null, 204);
    });
}

// The `me` routes come first: Hono tries routes in order and `me` would match `{user_id}`.
export const workExperienceRoutes = addScope(addScope(createRouter(), ownScope), backOfficeScope);
