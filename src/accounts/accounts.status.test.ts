import { describe, expect, it } from "vitest";
import { auditEventsFor, call, signedIn, userById } from "../../test/helpers/accounts";
import { createTestUser } from "../../test/helpers/users";

describe("POST /{id}/deactivate/ and /{id}/activate/", () => {
  it("POST /api/staff/{id}/deactivate/ ends refresh and access at once", async () => {
    const admin = await signedIn("ADMIN");
    const staff = await signedIn("STAFF");
    const { response, body } = await call(
      "POST",
      `/api/staff/${staff.user.id}/deactivate/`,
      admin.access,
    );
    expect(response.status).toBe(200);
    expect(body.code).toBe("deactivated");
    expect(body.data.is_active).toBe(false);

    const me = await call("GET", "/api/me/", staff.access);
    expect(me.response.status).toBe(401);
    expect(me.body.code).toBe("token_not_valid");
    const refresh = await call("POST", "/api/auth/token/refresh/", undefined, {
      refresh: staff.refresh,
    });
    expect(refresh.response.status).toBe(401);
    const login = await call("POST", "/api/auth/token/", undefined, {
      email: staff.user.email,
      password: staff.password,
    });
    expect(login.response.status).toBe(401);

    const stored = await userById(staff.user.id);
    expect(stored.isActive).toBe(false);
    expect(stored.securityStamp).not.toBe(staff.user.securityStamp);
    const events = await auditEventsFor(staff.user.id);
    const deactivation = events.find((event) => event.action === "user_deactivated");
    expect(deactivation?.actorId).toBe(admin.user.id);
  });

  it("POST /api/companies/{id}/deactivate/ twice answers already_deactivated", async () => {
    const admin = await signedIn("ADMIN");
    const { user } = await createTestUser({ role: "COMPANY" });
    const path = `/api/companies/${user.id}/deactivate/`;
    expect((await call("POST", path, admin.access)).response.status).toBe(200);
    const { response, body } = await call("POST", path, admin.access);
    expect(response.status).toBe(400);
    expect(body.code).toBe("already_deactivated");
  });

  it("POST /api/applicants/{id}/activate/ reactivates and allows sign-in", async () => {
    const admin = await signedIn("ADMIN");
    const { user, password } = await createTestUser({ role: "APPLICANT", isActive: false });
    const { response, body } = await call(
      "POST",
      `/api/applicants/${user.id}/activate/`,
      admin.access,
    );
    expect(response.status).toBe(200);
    expect(body.code).toBe("activated");
    expect(body.data.is_active).toBe(true);
    expect(body.data.applicant_profile.user).toBe(user.id);
    const login = await call("POST", "/api/auth/token/", undefined, {
      email: user.email,
      password,
    });
    expect(login.response.status).toBe(200);
    const actions = (await auditEventsFor(user.id)).map((event) => event.action);
    expect(actions).toContain("user_activated");
  });

  it("POST /api/admins/{id}/activate/ answers already_activated for an active admin", async () => {
    const admin = await signedIn("ADMIN");
    const { user } = await createTestUser({ role: "ADMIN" });
    const { response, body } = await call("POST", `/api/admins/${user.id}/activate/`, admin.access);
    expect(response.status).toBe(400);
    expect(body.code).toBe("already_activated");
  });

  it("POST /api/admins/{id}/deactivate/ answers 400 for the admin's own account", async () => {
    const admin = await signedIn("ADMIN");
    const { response, body } = await call(
      "POST",
      `/api/admins/${admin.user.id}/deactivate/`,
      admin.access,
    );
    expect(response.status).toBe(400);
    expect(body.code).toBe("cannot_deactivate_self");
    expect((await userById(admin.user.id)).isActive).toBe(true);
    expect((await call("GET", "/api/me/", admin.access)).response.status).toBe(200);
  });

  it("PATCH /api/admins/{id}/ with is_active false on self answers 400", async () => {
    const admin = await signedIn("ADMIN");
    const { response, body } = await call("PATCH", `/api/admins/${admin.user.id}/`, admin.access, {
      is_active: false,
    });
    expect(response.status).toBe(400);
    expect(body.code).toBe("cannot_deactivate_self");
    expect((await userById(admin.user.id)).isActive).toBe(true);
  });

  it("PATCH /api/staff/{id}/ with is_active false ends sessions like deactivate", async () => {
    const admin = await signedIn("ADMIN");
    const staff = await signedIn("STAFF");
    const { response, body } = await call("PATCH", `/api/staff/${staff.user.id}/`, admin.access, {
      is_active: false,
    });
    expect(response.status).toBe(200);
    expect(body.is_active).toBe(false);
    expect((await call("GET", "/api/me/", staff.access)).response.status).toBe(401);
    const actions = (await auditEventsFor(staff.user.id)).map((event) => event.action);
    expect(actions).toContain("user_deactivated");
  });

  it.each(["STAFF", "COMPANY", "APPLICANT"] as const)(
    "POST /api/applicants/{id}/deactivate/ answers 403 for %s",
    async (role) => {
      const caller = await signedIn(role);
      const { user } = await createTestUser({ role: "APPLICANT" });
      const { response } = await call(
        "POST",
        `/api/applicants/${user.id}/deactivate/`,
        caller.access,
      );
      expect(response.status).toBe(403);
      expect((await userById(user.id)).isActive).toBe(true);
    },
  );

  it("POST /api/staff/{id}/deactivate/ answers 404 for an applicant id", async () => {
    const admin = await signedIn("ADMIN");
    const { user } = await createTestUser({ role: "APPLICANT" });
    const { response, body } = await call(
      "POST",
      `/api/staff/${user.id}/deactivate/`,
      admin.access,
    );
    expect(response.status).toBe(404);
    expect(body.code).toBe("not_found");
    expect((await userById(user.id)).isActive).toBe(true);
  });
});
