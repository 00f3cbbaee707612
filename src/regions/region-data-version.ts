/**
 * The region data package and exact version that `npm run db:seed-regions` loads. The Worker
 * puts it in every region cache key, so deploying a new version stops serving cached lists of
 * the old one. The seeder refuses to run when the installed package has another version.
 */
export const REGION_DATA_PACKAGE = "idn-area-data";
export const REGION_DATA_VERSION = "4.0.1";
