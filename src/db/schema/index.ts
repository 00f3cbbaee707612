export * from "./applicants";
export * from "./auth";
export * from "./documents";
export * from "./regions";
export * from "./users";
