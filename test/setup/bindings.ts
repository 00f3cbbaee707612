import { S3_FAKE } from "../fakes/s3";

/** Worker variables for the test run: local fakes on loopback and fast password hashing. */
export async function testBindings(ports: { postgres: number; fakes: number }) {
  const databaseUrl =
    process.env.TEST_DATABASE_URL ??
    `postgres://postgres:postgres@127.0.0.1:${ports.postgres}/postgres`;
  const fakes = `http://127.0.0.1:${ports.fakes}`;
  return {
    ENVIRONMENT: "test",
    DATABASE_URL: databaseUrl,
    JWT_SECRET: "test-jwt-secret-that-is-long-enough-0123456789",
    PASSWORD_PEPPER: "test-password-pepper-long-enough-0123456789",
    FRONTEND_URL: "http://app.test",
    CORS_ALLOWED_ORIGINS: "http://app.test,http://admin.test",
    EMAIL_PROVIDER: "resend",
    RESEND_API_KEY: "re_test_key",
    RESEND_API_URL: `${fakes}/resend`,
    EMAIL_FROM: "KMS-Connect <no-reply@kms.test>",
    GOOGLE_CLIENT_IDS: "test-client-id.apps.googleusercontent.com",
    GOOGLE_JWKS_URL: `${fakes}/google/certs`,
    NEON_FETCH_ENDPOINT: `${fakes}/neon/sql`,
    // Uploads go to the R2 binding; storage tests also run the S3 driver against the fake.
    STORAGE_DRIVER: "r2",
    S3_ENDPOINT: `${fakes}/s3`,
    S3_REGION: S3_FAKE.region,
    S3_BUCKET: S3_FAKE.bucket,
    S3_ACCESS_KEY_ID: S3_FAKE.accessKeyId,
    S3_SECRET_ACCESS_KEY: S3_FAKE.secretAccessKey,
    FILE_URL_SECRET: "test-file-url-secret-long-enough-0123456789",
    // Each documents test that plans Vision answers overrides the key with a fresh one.
    GOOGLE_VISION_ENDPOINT: `${fakes}/vision`,
    GOOGLE_VISION_API_KEY: "test-vision-key",
    TEST_FAKES_URL: fakes,
  };
}
