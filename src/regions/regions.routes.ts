import { createRoute, z } from "@hono/zod-openapi";
import type { TypedResponse } from "hono";
import { type AppContext, serviceContext } from "../context";
import type { Database } from "../db/client";
import { createRouter, errorResponse, jsonResponse } from "../lib/openapi";
import {
  cachedJson,
  REGION_CACHE_CONTROL,
  regionJsonResponse,
  regionListCacheKey,
} from "./regions.cache";
import {
  DistrictQuerySchema,
  DistrictSchema,
  ProvinceQuerySchema,
  ProvinceSchema,
  RegencyQuerySchema,
  RegencySchema,
  RegionIdParamsSchema,
  VillageDetailSchema,
  VillageQuerySchema,
  VillageSchema,
} from "./regions.schemas";
import {
  type ChildRegion,
  getChildRegion,
  getProvince,
  getVillageDetail,
  listChildRegions,
  listProvinces,
  type RegionLevel,
  type RegionListFilter,
  searchTerms,
} from "./regions.service";

const TAGS = ["Regions"];

const listRoute = <Q extends z.ZodObject, I extends z.ZodType>(
  path: string,
  summary: string,
  query: Q,
  item: I,
) =>
  createRoute({
    method: "get",
    path,
    tags: TAGS,
    summary,
    description:
      "Unpaginated, ordered by name, cached in KV and by HTTP caches. Data: idn-area-data " +
      "(Kemendagri codes), made available under the Open Database License 1.0.",
    request: { query },
    responses: {
      200: jsonResponse("Every matching area", z.array(item)),
      400: errorResponse(
        "Malformed or unknown filter id, a search over 100 characters, or (villages only) " +
          "neither district_id nor a search of 3 or more characters",
      ),
    },
  });

const detailRoute = <I extends z.ZodType>(path: string, summary: string, item: I) =>
  createRoute({
    method: "get",
    path,
    tags: TAGS,
    summary,
    request: { params: RegionIdParamsSchema },
    responses: {
      200: jsonResponse("The area", item),
      404: errorResponse("No area has this id, or the id is malformed"),
    },
  });

const listProvincesRoute = listRoute(
  "/api/provinces/",
  "Lists provinces",
  ProvinceQuerySchema,
  ProvinceSchema,
);
const listRegenciesRoute = listRoute(
  "/api/regencies/",
  "Lists regencies (kabupaten/kota), optionally of one province",
  RegencyQuerySchema,
  RegencySchema,
);
const listDistrictsRoute = listRoute(
  "/api/districts/",
  "Lists kecamatan, optionally of one regency",
  DistrictQuerySchema,
  DistrictSchema,
);
const listVillagesRoute = listRoute(
  "/api/villages/",
  "Lists villages of one kecamatan, or those matching a search of 3 or more characters",
  VillageQuerySchema,
  VillageSchema,
);

const getProvinceRoute = detailRoute("/api/provinces/{id}/", "One province", ProvinceSchema);
const getRegencyRoute = detailRoute("/api/regencies/{id}/", "One regency", RegencySchema);
const getDistrictRoute = detailRoute("/api/districts/{id}/", "One kecamatan", DistrictSchema);
const getVillageRoute = detailRoute(
  "/api/villages/{id}/",
  "One village with the names of its kecamatan, regency and province",
  VillageDetailSchema,
);

/** Sends one area with the same Cache-Control as the lists. Details are not kept in KV. */
function detailResponse<T extends object>(c: AppContext, body: T) {
  c.header("Cache-Control", REGION_CACHE_CONTROL);
  return c.json(body, 200);
}

/** Serves a list from KV, or from the database on a miss, as raw JSON text. */
async function listResponse<T>(
  c: AppContext,
  level: RegionLevel,
  filter: RegionListFilter,
  load: (db: Database) => Promise<T>,
) {
  const key = regionListCacheKey(level, filter);
  const json = await cachedJson(c, key, () => load(serviceContext(c).db));
  // The text is the JSON of a T, from KV or just serialised. Hono types only c.json() as JSON,
  // and parsing the cached text again just to re-serialise it would waste CPU.
  return regionJsonResponse(c, json) as unknown as TypedResponse<T, 200, "json">;
}

/** Renders a child area with its parent id under the API's name for the parent. */
const withParent =
  <K extends string>(parentKey: K) =>
  ({ id, code, name, parentId }: ChildRegion) =>
    ({ id, code, name, [parentKey]: parentId }) as { id: number; code: string; name: string } & {
      [P in K]: number;
    };

/** Loads a child level's list under `filter` and renders each row with its parent key. */
const childList =
  <K extends string>(
    level: Exclude<RegionLevel, "provinces">,
    parentKey: K,
    filter: RegionListFilter,
  ) =>
  async (db: Database) =>
    (await listChildRegions(db, level, filter)).map(withParent(parentKey));

export const regionRoutes = createRouter()
  .openapi(listProvincesRoute, (c) => {
    const filter = { terms: searchTerms(c.req.valid("query").search) };
    return listResponse(c, "provinces", filter, (db) => listProvinces(db, filter));
  })
  .openapi(listRegenciesRoute, (c) => {
    const query = c.req.valid("query");
    const filter = { parentId: query.province_id, terms: searchTerms(query.search) };
    return listResponse(c, "regencies", filter, childList("regencies", "province", filter));
  })
  .openapi(listDistrictsRoute, (c) => {
    const query = c.req.valid("query");
    const filter = { parentId: query.regency_id, terms: searchTerms(query.search) };
    return listResponse(c, "districts", filter, childList("districts", "regency", filter));
  })
  .openapi(listVillagesRoute, (c) => {
    const query = c.req.valid("query");
    const filter = { parentId: query.district_id, terms: searchTerms(query.search) };
    return listResponse(c, "villages", filter, childList("villages", "district", filter));
  })
  .openapi(getProvinceRoute, async (c) => {
    const { db } = serviceContext(c);
    return detailResponse(c, await getProvince(db, c.req.valid("param").id));
  })
  .openapi(getRegencyRoute, async (c) => {
    const { db } = serviceContext(c);
    const regency = await getChildRegion(db, "regencies", c.req.valid("param").id);
    return detailResponse(c, withParent("province")(regency));
  })
  .openapi(getDistrictRoute, async (c) => {
    const { db } = serviceContext(c);
    const district = await getChildRegion(db, "districts", c.req.valid("param").id);
    return detailResponse(c, withParent("regency")(district));
  })
  .openapi(getVillageRoute, async (c) => {
    const { db } = serviceContext(c);
    return detailResponse(c, await getVillageDetail(db, c.req.valid("param").id));
  });
