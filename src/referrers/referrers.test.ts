import { env as testEnv } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, signedIn, strongPassword } from "../../test/helpers/accounts";
import { api, uniqueEmail } from "../../test/helpers/http";
import { createTestUser } from "../../test/helpers/users";
import type { Bindings } from "../env";
import { STAFF_REFERRERS_CACHE_CONTROL, STAFF_REFERRERS_CACHE_KEY } from "./referrers.service";

const env = testEnv as unknown as Bindings;

interface StaffReferrer {
  id: number;
  full_name: string;
  referral_code: string | null;
}

async function staffReferrers(): Promise<{ response: Response; list: StaffReferrer[] }> {
  const response = await api("GET", "/api/staff-referrers/");
  return { response, list: await response.json<StaffReferrer[]>() };
}

const ids = (list: { id: number }[]) => list.map((item) => item.id);

describe("GET /api/referrers/", () => {
  it("GET /api/referrers/ lists staff and admins with emails", async () => {
    const admin = await signedIn("ADMIN");
    const staff = await createTestUser({ role: "STAFF", isActive: false });
    const applicant = await createTestUser({ role: "APPLICANT" });
    const { response, body } = await call("GET", "/api/referrers/", admin.access);
    expect(response.status).toBe(200);
    const listed = ids(body);
    expect(listed).toContain(admin.user.id);
    expect(listed).toContain(staff.user.id);
    expect(listed).not.toContain(applicant.user.id);
    const entry = body.find((item: { id: number }) => item.id === staff.user.id);
    expect(entry).toEqual({
      id: staff.user.id,
      full_name: staff.user.fullName,
      email: staff.user.email,
      referral_code: staff.user.referralCode,
    });
  });

  it.each(["STAFF", "COMPANY", "APPLICANT"] as const)(
    "GET /api/referrers/ answers 403 for %s",
    async (role) => {
      const caller = await signedIn(role);
      const { response, body } = await call("GET", "/api/referrers/", caller.access);
      expect(response.status).toBe(403);
      expect(body.code).toBe("permission_denied");
    },
  );
});

describe("GET /api/staff-referrers/", () => {
  it("GET /api/staff-referrers/ lists active staff with Cache-Control", async () => {
    const admin = await signedIn("ADMIN");
    // Created through the API, which clears the cached list.
    const created = await call("POST", "/api/staff/", admin.access, {
      email: uniqueEmail("staf"),
      password: strongPassword(),
      full_name: "Staf Referral",
    });
    expect(created.response.status).toBe(201);

    const { response, list } = await staffReferrers();
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe(STAFF_REFERRERS_CACHE_CONTROL);
    const entry = list.find((item) => item.id === created.body.id);
    expect(entry).toEqual({
      id: created.body.id,
      full_name: "Staf Referral",
      referral_code: created.body.referral_code,
    });
    expect(ids(list)).not.toContain(admin.user.id);
  });

  it("GET /api/staff-referrers/ returns the KV entry", async () => {
    const sentinel = [{ id: -7, full_name: "DARI KV", referral_code: "S-KVKVKV" }];
    await env.CACHE.put(STAFF_REFERRERS_CACHE_KEY, JSON.stringify(sentinel));
    const { response, list } = await staffReferrers();
    expect(response.status).toBe(200);
    expect(list).toEqual(sentinel);
  });

  it("POST /api/staff/{id}/deactivate/ and activate/ clear the cached list", async () => {
    const admin = await signedIn("ADMIN");
    const { user } = await createTestUser({ role: "STAFF" });
    // Created straight in the database, so only the status changes below clear the cache.
    await env.CACHE.put(STAFF_REFERRERS_CACHE_KEY, "[]");

    const deactivated = await call("POST", `/api/staff/${user.id}/deactivate/`, admin.access);
    expect(deactivated.response.status).toBe(200);
    expect(await env.CACHE.get(STAFF_REFERRERS_CACHE_KEY)).not.toBe("[]");
    expect(ids((await staffReferrers()).list)).not.toContain(user.id);

    await env.CACHE.put(STAFF_REFERRERS_CACHE_KEY, "[]");
    const activated = await call("POST", `/api/staff/${user.id}/activate/`, admin.access);
    expect(activated.response.status).toBe(200);
    expect(ids((await staffReferrers()).list)).toContain(user.id);
  });

  it("PATCH /api/staff/{id}/ clears the cached list", async () => {
    const admin = await signedIn("ADMIN");
    const { user } = await createTestUser({ role: "STAFF" });
    await env.CACHE.put(STAFF_REFERRERS_CACHE_KEY, "[]");
    const { response } = await call("PATCH", `/api/staff/${user.id}/`, admin.access, {
      full_name: "Nama Referral Baru",
    });
    expect(response.status).toBe(200);
    const entry = (await staffReferrers()).list.find((item) => item.id === user.id);
    expect(entry?.full_name).toBe("Nama Referral Baru");
  });
});
