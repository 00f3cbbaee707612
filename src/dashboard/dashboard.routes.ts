import { createRoute, z } from "@hono/zod-openapi";
import { requireAuth, requireRoles } from "../auth/auth.middleware";
import { createRouter, errorResponse, jsonResponse } from "../lib/openapi";
import { todayInJakarta } from "../lib/time";
import { applicantSummary, applicantTimeseries, latestApplicants } from "./dashboard.service";
import { applicantReport } from "./reports.service";

const TAGS = ["Dashboard"];
/** Maximum report range in days, so one request cannot group the whole table by day. */
export const MAX_REPORT_DAYS = 366;
const DEFAULT_REPORT_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

const ScopeQuerySchema = z.object({
  referrer: z
    .string()
    .regex(/^[1-9][0-9]{0,9}$/, "Harus berupa id bilangan bulat positif.")
    .transform(Number)
    .pipe(z.number().max(2_147_483_647, "Id terlalu besar."))
    .optional()
    .openapi({ description: "Only applicants this STAFF or ADMIN user referred", type: "integer" }),
});

const day = z.iso.date("Gunakan format tanggal YYYY-MM-DD.");

const ReportQuerySchema = ScopeQuerySchema.extend({
  start_date: day
    .optional()
    .openapi({ description: "First Jakarta day; default 29 days before end" }),
  end_date: day.optional().openapi({ description: "Last Jakarta day, inclusive; default today" }),
}).superRefine((query, context) => {
  // zod runs this check even when a date failed its format; the format error is enough then.
  const valid = (value: string | undefined) => value === undefined || day.safeParse(value).success;
  if (!valid(query.start_date) || !valid(query.end_date)) return;
  const { start, end } = reportRange(query);
  const days = (Date.parse(end) - Date.parse(start)) / DAY_MS + 1;
  if (days < 1) {
    context.addIssue({
      code: "custom",
      path: ["end_date"],
      message: "Tanggal akhir tidak boleh sebelum tanggal mulai.",
    });
  } else if (days > MAX_REPORT_DAYS) {
    context.addIssue({
      code: "custom",
      path: ["end_date"],
      message: `Rentang laporan maksimal ${MAX_REPORT_DAYS} hari.`,
    });
  }
});

function reportRange(query: { start_date?: string; end_date?: string }) {
  const end = query.end_date ?? todayInJakarta();
  const defaultStart = new Date(Date.parse(end) - (DEFAULT_REPORT_DAYS - 1) * DAY_MS);
  const start = query.start_date ?? defaultStart.toISOString().slice(0, 10);
  return { start, end };
}

const adminGet = (path: string, summary: string, query: z.ZodType, schema: z.ZodType) =>
  createRoute({
    method: "get",
    path,
    tags: TAGS,
    summary,
    middleware: [requireAuth, requireRoles("ADMIN")] as const,
    request: { query: query as typeof ScopeQuerySchema },
    responses: {
      200: jsonResponse(summary, schema),
      400: errorResponse("A query parameter is invalid"),
      401: errorResponse("Not signed in, or the token is invalid"),
      403: errorResponse("Not ADMIN"),
    },
  });

const count = z.number().int();

const summaryRoute = adminGet(
  "/api/dashboard/applicants/summary/",
  "Applicant totals and 30-day growth",
  ScopeQuerySchema,
  z.object({
    total_applicants: count,
    total_active_workers: count,
    total_inactive_workers: count,
    growth_rate_30d: z.number(),
  }),
);

const timeseriesRoute = adminGet(
  "/api/dashboard/applicants/timeseries/",
  "Profiles created per Jakarta day, last 90 days",
  ScopeQuerySchema,
  z.array(z.object({ date: z.string(), count })),
);

const latestRoute = adminGet(
  "/api/dashboard/applicants/latest/",
  "The ten newest applicants",
  ScopeQuerySchema,
  z.array(
    z.object({
      id: count,
      full_name: z.string(),
      email: z.string(),
      verification_status: z.string(),
      created_at: z.string().nullable(),
    }),
  ),
);

const reportRoute = createRoute({
  ...adminGet(
    "/api/reports/applicants/",
    "Applicant report for a date range",
    ReportQuerySchema,
    z.record(z.string(), z.unknown()),
  ),
  request: { query: ReportQuerySchema },
});

export const dashboardRoutes = createRouter()
  .openapi(summaryRoute, async (c) => {
    const db = c.get("database").get().db;
    return c.json(await applicantSummary(db, c.req.valid("query")), 200);
  })
  .openapi(timeseriesRoute, async (c) => {
    const db = c.get("database").get().db;
    return c.json(await applicantTimeseries(db, c.req.valid("query")), 200);
  })
  .openapi(latestRoute, async (c) => {
    const db = c.get("database").get().db;
    return c.json(await latestApplicants(db, c.req.valid("query")), 200);
  })
  .openapi(reportRoute, async (c) => {
    const query = c.req.valid("query");
    const { start, end } = reportRange(query);
    const db = c.get("database").get().db;
    const report = await applicantReport(db, { start_date: start, end_date: end }, query);
    return c.json(report, 200);
  });
