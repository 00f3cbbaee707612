// Checks after `npm run load:test` that every rate limit held, judged from the responses alone.
import type { Config, RateLimitSetting } from "../../src/env";
import type { ActionName, ResponseRecord } from "./load-actions";

/** One limit, and how to find the key that it counts a response under. */
interface LimitRule {
  name: string;
  setting: RateLimitSetting;
  /** The key the limit counts this response under, or undefined when it does not count it. */
  keyOf(record: ResponseRecord): string | undefined;
}

const ANONYMOUS_ACTIONS = new Set<ActionName>([
  "document-types",
  "provinces",
  "login",
  "login-wrong-password",
  "refresh",
  "register",
]);

/** Lists the limits that the mix reaches: per IP, per user and per account for failed logins. */
export function limitRules(config: Config): LimitRule[] {
  const isLogin = (record: ResponseRecord) =>
    record.action === "login" || record.action === "login-wrong-password";
  const perIp = (
    name: string,
    setting: RateLimitSetting,
    counts: (a: ResponseRecord) => boolean,
  ) => ({
    name,
    setting,
    keyOf: (record: ResponseRecord) => (counts(record) ? `ip ${record.ip}` : undefined),
  });
  return [
    perIp("anonymous per IP", config.RATE_LIMIT_ANONYMOUS, (record) =>
      ANONYMOUS_ACTIONS.has(record.action),
    ),
    perIp("login per IP", config.RATE_LIMIT_LOGIN, isLogin),
    perIp("refresh per IP", config.RATE_LIMIT_REFRESH, (record) => record.action === "refresh"),
    perIp("register per IP", config.RATE_LIMIT_REGISTER, (record) => record.action === "register"),
    {
      name: "authenticated per user",
      setting: config.RATE_LIMIT_AUTHENTICATED,
      keyOf: (record) => (record.authenticated ? `user ${record.email}` : undefined),
    },
    {
      // The lock counts only failed logins, which return 401.
      name: "failed logins per account",
      setting: config.RATE_LIMIT_FAILED_LOGIN,
      keyOf: (record) =>
        isLogin(record) && record.status === 401 ? `account ${record.email}` : undefined,
    },
  ];
}

/**
 * Returns a message for each key whose responses broke `rule`. Every request that returned a
 * 2xx or a 4xx other than 429 was counted, so those are checked. The limiter's windows are fixed and open at
 * the first counted request. Over a span of T seconds a key can therefore have at most
 * limit × (floor(T / window) + 1) counted requests, and at most twice the limit within any
 * one window's length.
 */
export function checkLimit(rule: LimitRule, records: ResponseRecord[]): string[] {
  const { limit, windowSeconds } = rule.setting;
  const windowMs = windowSeconds * 1000;
  const counted = new Map<string, ResponseRecord[]>();
  for (const record of records) {
    const key = rule.keyOf(record);
    // A 5xx may come from wrangler's proxy before the Worker counted anything, so only 2xx and
    // 4xx responses are sure to have been counted. The 5xx fail the run on their own.
    if (key === undefined || record.status === 429 || record.status >= 500) continue;
    counted.set(key, [...(counted.get(key) ?? []), record]);
  }

  const violations: string[] = [];
  for (const [key, list] of counted) {
    list.sort((a, b) => a.sentAt - b.sentAt);
    const span = list.at(-1)!.at - list[0]!.sentAt;
    const allowed = limit * (Math.floor(span / windowMs) + 1);
    if (list.length > allowed) {
      violations.push(`${rule.name}: ${key} had ${list.length} counted requests, limit ${allowed}`);
    }
    const densest = densestWindow(list, windowMs);
    if (densest > 2 * limit) {
      violations.push(`${rule.name}: ${key} had ${densest} counted requests in one window`);
    }
  }
  return violations;
}

/** Returns the maximum number of requests sent within one window's length of each other. */
function densestWindow(sorted: ResponseRecord[], windowMs: number): number {
  let densest = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]!.sentAt - sorted[start]!.sentAt >= windowMs) start++;
    densest = Math.max(densest, end - start + 1);
  }
  return densest;
}

/** Accounts whose failed logins reached the limit, so the lock must now be in force. */
export function lockedAccounts(config: Config, records: ResponseRecord[]): string[] {
  const failures = new Map<string, number>();
  for (const record of records) {
    if (record.action !== "login-wrong-password" || record.status !== 401) continue;
    failures.set(record.email, (failures.get(record.email) ?? 0) + 1);
  }
  const { limit } = config.RATE_LIMIT_FAILED_LOGIN;
  return [...failures].filter(([, count]) => count >= limit).map(([email]) => email);
}

/** Counts responses per action and status, for the histogram printed at the end. */
export function histogram(records: ResponseRecord[]): Map<string, Map<number, number>> {
  const table = new Map<string, Map<number, number>>();
  for (const record of records) {
    const row = table.get(record.action) ?? new Map<number, number>();
    row.set(record.status, (row.get(record.status) ?? 0) + 1);
    table.set(record.action, row);
  }
  return table;
}
