import { z } from "@hono/zod-openapi";
import { urlId } from "../lib/ids";
import { singleLineText } from "../lib/text";

const MAX_ID = 2_147_483_647;
export const MAX_SEARCH_LENGTH = 100;
/** Shortest search that may list villages without a kecamatan filter (83,000 rows in all). */
export const MIN_VILLAGE_SEARCH_LENGTH = 3;

// Accepts digits only, because z.coerce.number() would also take "1e3", "0x1f" and " 7 ".
const regionId = z
  .string()
  .regex(/^\d{1,10}$/, "Harus berupa angka.")
  .transform(Number)
  .pipe(z.number().int().min(1).max(MAX_ID));

/** An optional id filter. An empty value counts as absent, since forms send `province_id=`. */
const optionalRegionId = (description: string) =>
  z
    .preprocess((value) => (value === "" ? undefined : value), regionId.optional())
    .openapi({ type: "integer", description });

const search = singleLineText({ max: MAX_SEARCH_LENGTH }).optional().openapi({
  description: "Case-insensitive part of the name. Space-separated terms must all match.",
  example: "jaya",
});

export const RegionIdParamsSchema = z.object({
  id: urlId.openapi({ example: 11 }),
});

export const ProvinceQuerySchema = z.object({ search });

export const RegencyQuerySchema = z.object({
  province_id: optionalRegionId("Only regencies of this province"),
  search,
});

export const DistrictQuerySchema = z.object({
  regency_id: optionalRegionId("Only kecamatan of this regency"),
  search,
});

export const VillageQuerySchema = z
  .object({
    district_id: optionalRegionId("Only villages of this kecamatan"),
    search,
  })
  .superRefine((query, context) => {
    const searchLength = query.search?.trim().length ?? 0;
    if (query.district_id !== undefined || searchLength >= MIN_VILLAGE_SEARCH_LENGTH) return;
    const message =
      `Isi district_id atau search minimal ${MIN_VILLAGE_SEARCH_LENGTH} karakter ` +
      "untuk menampilkan desa/kelurahan.";
    context.addIssue({ code: "custom", path: ["district_id"], message });
    context.addIssue({ code: "custom", path: ["search"], message });
  });

const regionFields = {
  id: z.number().int(),
  code: z.string().openapi({ description: "Kemendagri code without dots" }),
  name: z.string().openapi({ description: "Upper-case name" }),
};

export const ProvinceSchema = z
  .object(regionFields)
  .openapi("Province", { example: { id: 1, code: "11", name: "ACEH" } });

export const RegencySchema = z
  .object({ ...regionFields, province: z.number().int() })
  .openapi("Regency");

export const DistrictSchema = z
  .object({ ...regionFields, regency: z.number().int() })
  .openapi("District", { description: "Kecamatan" });

export const VillageSchema = z
  .object({ ...regionFields, district: z.number().int() })
  .openapi("Village", { description: "Desa or kelurahan" });

export const VillageDetailSchema = VillageSchema.extend({
  district_name: z.string(),
  regency_name: z.string(),
  province_name: z.string(),
}).openapi("VillageDetail");

export type Province = z.infer<typeof ProvinceSchema>;
export type Regency = z.infer<typeof RegencySchema>;
export type District = z.infer<typeof DistrictSchema>;
export type Village = z.infer<typeof VillageSchema>;
export type VillageDetail = z.infer<typeof VillageDetailSchema>;
