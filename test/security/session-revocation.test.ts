import { describe, expect, it } from "vitest";
import { linkFrom, waitForEmails } from "../helpers/emails";
import { api } from "../helpers/http";
import { loginAs } from "../helpers/users";
import { expectError, meStatus, refreshWith, signInAs } from "./security-helpers";

// Each case opens two sessions of one user, performs one credential event, and then checks
// that the old access and refresh tokens of both sessions are refused. Refresh-token reuse
// is proven in src/auth/refresh.test.ts ("answers 401 token_reused and revokes the session").

const NEW_PASSWORD = "Rendang-Padang-Pedas-91";

async function twoSessions(role: "APPLICANT" | "STAFF" = "APPLICANT") {
  const first = await signInAs(role);
  const second = await loginAs(first.user.email, first.password);
  return { first, second };
}

async function expectAllRefused(tokens: { access: string; refresh: string }[]) {
  for (const { access, refresh } of tokens) {
    expect(await meStatus(access)).toBe(401);
    await expectError(await refreshWith(refresh), 401, "token_not_valid");
  }
}

async function expectLoginWorks(email: string, password: string) {
  const response = await api("POST", "/api/auth/token/", { json: { email, password } });
  expect(response.status).toBe(200);
  await response.arrayBuffer();
}

describe("credential events end every session", () => {
  it("POST /api/auth/confirm-reset-password/ ends every session of the user", async () => {
    const { first, second } = await twoSessions();
    const request = await api("POST", "/api/auth/request-password-reset/", {
      json: { email: first.user.email },
    });
    expect(request.status).toBe(200);
    const [email] = await waitForEmails(first.user.email);
    const link = linkFrom(email!, "http://app.test/reset-password");

    const confirm = await api("POST", "/api/auth/confirm-reset-password/", {
      json: {
        uid: link.searchParams.get("uid"),
        token: link.searchParams.get("token"),
        new_password: NEW_PASSWORD,
      },
    });
    expect(confirm.status).toBe(200);

    await expectAllRefused([first, second]);
    await expectLoginWorks(first.user.email, NEW_PASSWORD);
  });

  it("PATCH /api/me/ with a new password ends every other session", async () => {
    const { first, second } = await twoSessions();
    const response = await api("PATCH", "/api/me/", {
      token: first.access,
      json: { current_password: first.password, password: NEW_PASSWORD },
    });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    await expectAllRefused([second]);
    expect(await meStatus(first.access)).toBe(401);
  });

  it("POST /api/applicants/me/change-password/ refuses both old refresh tokens", async () => {
    const { first, second } = await twoSessions();
    const response = await api("POST", "/api/applicants/me/change-password/", {
      token: first.access,
      json: { old_password: first.password, new_password: NEW_PASSWORD },
    });
    expect(response.status).toBe(200);
    const renewed = (await response.json<{ data: { refresh: string } }>()).data.refresh;
    await expectAllRefused([second, first]);
    expect((await refreshWith(renewed)).status).toBe(200);
  });

  it("POST /api/staff/{id}/deactivate/ ends every session of the staff member", async () => {
    const admin = await signInAs("ADMIN");
    const { first, second } = await twoSessions("STAFF");
    const path = `/api/staff/${first.user.id}/deactivate/`;
    expect((await api("POST", path, { token: admin.access })).status).toBe(200);
    await expectAllRefused([first, second]);
  });

  it("PATCH /api/staff/{id}/ with a role change ends every session", async () => {
    const admin = await signInAs("ADMIN");
    const { first, second } = await twoSessions("STAFF");
    const response = await api("PATCH", `/api/staff/${first.user.id}/`, {
      token: admin.access,
      json: { role: "ADMIN" },
    });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    await expectAllRefused([first, second]);
  });

  it("POST /api/auth/logout/ ends only the session of its refresh token", async () => {
    const { first, second } = await twoSessions();
    const logout = await api("POST", "/api/auth/logout/", { json: { refresh: first.refresh } });
    expect(logout.status).toBe(200);
    await expectAllRefused([first]);
    expect(await meStatus(second.access)).toBe(200);
  });
});
