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
    TEST_FAKES_URL: fakes,
  };
}
