import { describe, expect, it } from "vitest";
import { insertApplicants, randomNik, tokenFor } from "../../test/helpers/applicant-fixtures";
import { api, readJson } from "../../test/helpers/http";
import { createTestUser } from "../../test/helpers/users";
import { EXPORT_BATCH_SIZE, EXPORT_HEADER } from "./applicants-export.service";
import { csvCell, csvRow } from "./csv";

/** Splits CSV text into records of cells, honouring quotes, for assertions only. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = "";
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (quoted) {
      if (character === '"' && text[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (character === '"') quoted = false;
      else cell += character;
    } else if (character === '"') quoted = true;
    else if (character === ",") {
      record.push(cell);
      cell = "";
    } else if (character === "\r" && text[index + 1] === "\n") {
      record.push(cell);
      records.push(record);
      record = [];
      cell = "";
      index++;
    } else cell += character;
  }
  return records;
}

describe("csv cells", () => {
  it("quotes commas, quotes and line breaks", () => {
    expect(csvCell('Jl. "Merdeka", No. 1\nRT 2')).toBe('"Jl. ""Merdeka"", No. 1\nRT 2"');
    expect(csvCell(null)).toBe("");
    expect(csvCell(12.5)).toBe("12.5");
    expect(csvCell(false)).toBe("false");
    expect(csvRow(["a", "b"])).toBe("a,b\r\n");
  });

  it("defuses cells that a spreadsheet would run as formulas", () => {
    for (const dangerous of ["=1+1", "+62812", "-2", "@SUM(A1)", "\tx"]) {
      expect(csvCell(dangerous).replace(/^"/, "")).toMatch(/^'/);
    }
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
  });
});

describe("GET /api/applicants/export/", () => {
  it("streams a UTF-8 CSV with BOM, header and one row per applicant", async () => {
    const { token } = await tokenFor("ADMIN");
    const staff = await createTestUser({ role: "STAFF" });
    const nik = randomNik();
    const [first, second] = await insertApplicants([
      {
        fullName: '=cmd|" /C calc"!A0',
        profile: { referrerId: staff.user.id, nik, address: "Jl. Mawar, No. 5\nRT 01" },
      },
      { fullName: "Dewi Lestari", profile: { referrerId: staff.user.id, gender: "F" } },
    ]);
    const response = await api(
      "GET",
      `/api/applicants/export/?referrer=${staff.user.id}&ordering=full_name`,
      { token },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toMatch(
      /^attachment; filename="applicants-\d{8}\.csv"$/,
    );

    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records = parseCsv(new TextDecoder().decode(bytes.slice(3)));
    expect(records[0]).toEqual(EXPORT_HEADER);
    expect(records).toHaveLength(3);
    const column = (name: string) => EXPORT_HEADER.indexOf(name);
    const byUser = (userId: number) =>
      records.find((record) => record[column("user_id")] === String(userId)) ?? [];
    const [injected, dewi] = [byUser(first!.userId), byUser(second!.userId)];
    expect(dewi[column("user_id")]).toBe(String(second!.userId));
    expect(dewi[column("gender")]).toBe("F");
    expect(dewi[column("referrer_email")]).toBe(staff.user.email);
    expect(injected[column("user_id")]).toBe(String(first!.userId));
    expect(injected[column("full_name")]).toBe(`'=cmd|" /C calc"!A0`);
    expect(injected[column("nik")]).toBe(nik);
    expect(injected[column("address")]).toBe("Jl. Mawar, No. 5\nRT 01");
  });

  it("reads more than one batch without losing or repeating rows", async () => {
    const { token } = await tokenFor("ADMIN");
    const staff = await createTestUser({ role: "STAFF" });
    const count = EXPORT_BATCH_SIZE + 5;
    const inserted = await insertApplicants(
      Array.from({ length: count }, () => ({ profile: { referrerId: staff.user.id } })),
    );
    const response = await api("GET", `/api/applicants/export/?referrer=${staff.user.id}`, {
      token,
    });
    const records = parseCsv((await response.text()).replace(/^\uFEFF/, ""));
    const ids = records.slice(1).map((record) => Number(record[0]));
    expect(ids).toHaveLength(count);
    expect(new Set(ids).size).toBe(count);
    expect(ids.sort((a, b) => a - b)).toEqual(
      inserted.map((row) => row.userId).sort((a, b) => a - b),
    );
  });

  it("is for ADMIN only", async () => {
    for (const role of ["STAFF", "COMPANY", "APPLICANT"] as const) {
      const { token } = await tokenFor(role);
      const response = await api("GET", "/api/applicants/export/", { token });
      expect(response.status, role).toBe(403);
      expect((await readJson(response)).code).toBe("permission_denied");
    }
    const anonymous = await api("GET", "/api/applicants/export/");
    expect(anonymous.status).toBe(401);
  });

  it("answers 400 for a bad filter before streaming", async () => {
    const { token } = await tokenFor("ADMIN");
    const response = await api("GET", "/api/applicants/export/?age_min=old", { token });
    const body = await readJson(response);
    expect(response.status).toBe(400);
    expect(Object.keys(body.errors)).toEqual(["age_min"]);
  });

  it("answers 400 for a search with a NUL character before streaming", async () => {
    const { token } = await tokenFor("ADMIN");
    const response = await api("GET", "/api/applicants/export/?search=%00", { token });
    const body = await readJson(response);
    expect(response.status).toBe(400);
    expect(body.code).toBe("validation_error");
    expect(Object.keys(body.errors)).toEqual(["search"]);
  });

  it("can be cancelled mid-stream", async () => {
    const { token } = await tokenFor("ADMIN");
    const response = await api("GET", "/api/applicants/export/", { token });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const { value } = await reader.read();
    expect(value!.byteLength).toBeGreaterThan(0);
    await reader.cancel();
    // The Worker still answers with a fresh connection afterwards.
    const after = await api("GET", "/api/applicants/?page_size=1", { token });
    expect(after.status).toBe(200);
  });
});
