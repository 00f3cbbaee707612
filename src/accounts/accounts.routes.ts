import { createRouter } from "../lib/openapi";
import {
  AdminUserSchema,
  ApplicantUserSchema,
  CompanyUserSchema,
  StaffUserSchema,
} from "../users/users.schemas";
import { accountEmailRoutes } from "./account-emails.routes";
import { type AccountResource, accountResourceRoutes } from "./account-resource.routes";
import {
  AdminCreateSchema,
  AdminUpdateSchema,
  ApplicantCreateSchema,
  ApplicantUpdateSchema,
  CompanyCreateSchema,
  CompanyUpdateSchema,
  StaffCreateSchema,
  StaffUpdateSchema,
} from "./accounts.schemas";
import { staffMeRoutes } from "./staff-me.routes";

const RESOURCES: AccountResource[] = [
  {
    role: "ADMIN",
    path: "/api/admins",
    tag: "Admins",
    shape: AdminUserSchema,
    createSchema: AdminCreateSchema,
    updateSchema: AdminUpdateSchema,
    listed: true,
    readRoles: ["ADMIN"],
  },
  {
    role: "STAFF",
    path: "/api/staff",
    tag: "Staff",
    shape: StaffUserSchema,
    createSchema: StaffCreateSchema,
    updateSchema: StaffUpdateSchema,
    listed: true,
    readRoles: ["ADMIN"],
  },
  {
    role: "COMPANY",
    path: "/api/companies",
    tag: "Companies",
    shape: CompanyUserSchema,
    createSchema: CompanyCreateSchema,
    updateSchema: CompanyUpdateSchema,
    listed: true,
    readRoles: ["ADMIN"],
  },
  {
    role: "APPLICANT",
    path: "/api/applicants",
    tag: "Applicants",
    shape: ApplicantUserSchema,
    createSchema: ApplicantCreateSchema,
    updateSchema: ApplicantUpdateSchema,
    // GET /api/applicants/ is the applicant search, with its own filters and cursor mode.
    listed: false,
    readRoles: ["ADMIN", "STAFF"],
  },
];

/**
 * Back-office account management. Fixed paths (`/api/staff/me/…`, `/api/admins/send-…/`) come
 * before the `{id}` routes, because Hono tries routes in the order they were added.
 */
export const accountRoutes = createRouter()
  .route("/", staffMeRoutes)
  .route("/", accountEmailRoutes);

for (const resource of RESOURCES) accountRoutes.route("/", accountResourceRoutes(resource));
