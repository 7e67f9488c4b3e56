import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "../../lib/env";

describe("configuration", () => {
  it("defaults: the embedded database, one server process", () => {
    const e = parseEnv({});
    expect(e.DATABASE_URL).toBeUndefined();
    expect(e.WEB_CONCURRENCY).toBeUndefined();
    expect(e.PORT).toBe(4321);
  });

  it("names the variable a bad value is in", () => {
    expect(() => parseEnv({ PORT: "eighty" })).toThrow(/PORT/);
    expect(() => parseEnv({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL/);
  });

  it("several server processes need a PostgreSQL server", () => {
    expect(() => parseEnv({ WEB_CONCURRENCY: "2" })).toThrow(ConfigError);
    expect(() => parseEnv({ WEB_CONCURRENCY: "2" })).toThrow(/WEB_CONCURRENCY/);
    expect(parseEnv({ WEB_CONCURRENCY: "2", DATABASE_URL: "postgres://u@h/db" }).WEB_CONCURRENCY).toBe(2);
    expect(parseEnv({ WEB_CONCURRENCY: "1" }).WEB_CONCURRENCY).toBe(1);
  });

  it("production needs real keys", () => {
    expect(() => parseEnv({ NODE_ENV: "production" })).toThrow(/SUNSHINE_ENCRYPTION_KEY/);
  });
});
