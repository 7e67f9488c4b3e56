import { z } from "zod";
import { AddressListError, parseAddressList } from "./address-list";
import { parseTrustProxy, TrustProxyError } from "./trust-proxy";

// Every setting the process reads, parsed once. A bad value stops start-up with the variable's name.
const booleanString = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const hexKey = (name: string) =>
  z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, `${name} must be 64 hex characters (32 random bytes)`)
    .optional();

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number().int().min(1).max(65535).default(4321),
  /** postgres://user@host:port/db — unset means the embedded PGlite database under DATA_DIR. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must start with postgres:// or postgresql://")
    .optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /** A streaming replica for read-only public queries; unset sends every query to DATABASE_URL. */
  DATABASE_REPLICA_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "DATABASE_REPLICA_URL must start with postgres:// or postgresql://")
    .optional(),
  /** Replica reads fall back to the primary while the replica is further behind than this. */
  REPLICA_MAX_LAG_SECONDS: z.coerce.number().min(0).max(3600).default(5),
  /** Where uploaded files' bytes live: in the database (postgres, default) or an S3-compatible bucket. */
  FILE_STORAGE: z.enum(["postgres", "s3"]).default("postgres"),
  S3_ENDPOINT: z.string().url("S3_ENDPOINT must be a URL such as https://s3.example.com").optional(),
  S3_BUCKET: z.string().min(1).optional(),
  S3_REGION: z.string().min(1).default("us-east-1"),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Bearer token for GET /metrics; unset: /metrics answers only requests from a loopback address. */
  METRICS_TOKEN: z.string().min(16, "METRICS_TOKEN must be at least 16 characters").optional(),
  /** Seconds a shared cache (nginx) may serve a public page or public API read without asking again. */
  PUBLIC_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(10),
  /** On SIGTERM: seconds to let in-flight requests finish before the process exits anyway. */
  DRAIN_TIMEOUT_SECONDS: z.coerce.number().min(0).max(600).default(25),
  /** HTTP server processes (with DATABASE_URL; default one per core, at most 8). PGlite allows one. */
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
  /** Where the embedded database, uploads and generated files live. */
  DATA_DIR: z.string().min(1).default("./data"),
  /** Load demo data into an empty database at start (embedded database: on by default). */
  SEED_DEMO: booleanString.optional(),
  MEILISEARCH_URL: z.string().url("MEILISEARCH_URL must be a URL such as http://127.0.0.1:7700").optional(),
  MEILISEARCH_KEY: z.string().min(1).optional(),
  MEILISEARCH_SEARCH_KEY: z.string().min(1).optional(),
  /** Keys for reporter data (AES-256-GCM) and receipt codes (HMAC-SHA-256). Dev/test derive throwaway keys. */
  SUNSHINE_ENCRYPTION_KEY: hexKey("SUNSHINE_ENCRYPTION_KEY"),
  SUNSHINE_ENCRYPTION_KEY_ID: z
    .string()
    .regex(/^[a-z0-9-]{1,32}$/)
    .default("k1"),
  SUNSHINE_OLD_ENCRYPTION_KEYS: z
    .string()
    .regex(/^([a-z0-9-]{1,32}:[0-9a-fA-F]{64})(,[a-z0-9-]{1,32}:[0-9a-fA-F]{64})*$/, "format: id:hex64,id:hex64")
    .optional(),
  SUNSHINE_HMAC_KEY: hexKey("SUNSHINE_HMAC_KEY"),
  /** Transparency log signer key, Go sumdb/note format (PRIVATE+KEY+<origin>+<hex id>+<base64>). Dev derives one. */
  SUNSHINE_LOG_KEY: z
    .string()
    .regex(
      /^PRIVATE\+KEY\+[^\s+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$/,
      "SUNSHINE_LOG_KEY must be a note signer key: npm run log:keygen",
    )
    .optional(),
  /** The log's checkpoint origin line (also its key name). */
  SUNSHINE_LOG_ORIGIN: z
    .string()
    .regex(/^[^\s+]{1,200}$/, "SUNSHINE_LOG_ORIGIN: no spaces or +")
    .default("zibo.sunshine.gov.cn/log"),
  /** Witnesses whose cosignatures are added to checkpoints: comma-separated <verifier key>@<witness URL>. */
  SUNSHINE_LOG_WITNESSES: z
    .string()
    .regex(
      /^[^\s+,@]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+@https?:\/\/[^\s,]+(,[^\s+,@]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+@https?:\/\/[^\s,]+)*$/,
      "format: <vkey>@<url>,<vkey>@<url>",
    )
    .optional(),
  /** How often the log sequencer runs in the server process, in milliseconds (0 = off). */
  LOG_SEQUENCER_INTERVAL_MS: z.coerce.number().int().min(0).default(1000),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  /** Largest request body accepted, in bytes (JSON and forms); uploads have their own limit. */
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  /**
   * Reverse proxies allowed to say the client's address and scheme (X-Forwarded-For/-Proto): a hop
   * count (1 = one nginx in front) or comma-separated addresses/CIDRs. Unset: nobody (lib/client-address.ts).
   */
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((value, ctx) => {
      try {
        return parseTrustProxy(value);
      } catch (err) {
        if (!(err instanceof TrustProxyError)) throw err;
        ctx.addIssue({ code: "custom", message: err.message });
        return z.NEVER;
      }
    }),
  /**
   * Public submissions per client address and window (domain/throttle/submission-limits.ts): tickets
   * filed (web form, API, Open311) and evidence/photo uploads. 0 turns a limit off. Staff intake is never limited.
   */
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),
  RATE_LIMIT_FILINGS: z.coerce.number().int().min(0).default(30),
  RATE_LIMIT_UPLOADS: z.coerce.number().int().min(0).default(60),
  /** Client addresses/CIDRs never limited (a call centre's gateway, a load test): comma-separated. */
  RATE_LIMIT_EXEMPT: z
    .string()
    .optional()
    .transform((value, ctx) => {
      try {
        return parseAddressList(value);
      } catch (err) {
        if (!(err instanceof AddressListError)) throw err;
        ctx.addIssue({ code: "custom", message: err.message });
        return z.NEVER;
      }
    }),
  /** Images decoded at the same time per process (uploads queue for a slot): bounds decoding memory. */
  IMAGE_DECODE_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  /** Largest image accepted, in pixels (decoded size); a phone camera's full-resolution photo fits. */
  IMAGE_MAX_PIXELS: z.coerce.number().int().min(1_000_000).max(100_000_000).default(50_000_000),
  /** Staff console (domain/auth, domain/notifications, domain/casework/sweep). */
  SESSION_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  NOTIFY_TRANSPORT: z.enum(["log", "file"]).default("log"),
  NOTIFY_SMS_URL: z.string().url("NOTIFY_SMS_URL must be a URL").optional(),
  NOTIFY_EMAIL_URL: z.string().url("NOTIFY_EMAIL_URL must be a URL").optional(),
  NOTIFY_GATEWAY_TOKEN: z.string().min(1).optional(),
  SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(300),
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(20 * 1_048_576),
  /** Online-opinion monitoring (domain/monitor): a JSON file of sources merged at start. */
  MONITOR_SOURCES_FILE: z.string().min(1).optional(),
  /** Hosts, addresses or CIDR blocks the fetcher may reach although they are loopback/private (comma-separated). */
  MONITOR_ALLOW_HOSTS: z
    .string()
    .regex(/^[\w.:/[\]-]+(\s*,\s*[\w.:/[\]-]+)*$/, "comma-separated host names, addresses or CIDR blocks")
    .optional(),
  /** Seconds between fetch rounds (each source still waits for its own interval); 0 = off. */
  MONITOR_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(60),
  MONITOR_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(300).default(15),
  MONITOR_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(5 * 1_048_576),
  /** Sources fetched at the same time within a round. */
  MONITOR_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  /** Minutes a caught item may wait for triage before the person on duty (then the supervisors) is notified. */
  MONITOR_TRIAGE_MINUTES: z.coerce.number().int().min(1).max(1440).default(60),
  /** Days a household-level 公示 list stays public after its period and objection handling end. */
  MONEY_LIST_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
  /** Days an allocation may sit not fully disbursed before a ledger entry (台账) is opened for it. */
  STUCK_MONEY_LEDGER_DAYS: z.coerce.number().int().min(30).max(3650).default(90),
});

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {}

export function parseEnv(source: Record<string, string | undefined>): Env {
  // Empty strings mean "unset" (a blank line in a .env file must not override a default).
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const env = result.data;
  if (env.NODE_ENV === "production" && (!env.SUNSHINE_ENCRYPTION_KEY || !env.SUNSHINE_HMAC_KEY)) {
    throw new ConfigError(
      "Invalid configuration:\n  SUNSHINE_ENCRYPTION_KEY, SUNSHINE_HMAC_KEY: required when NODE_ENV=production (generate with: openssl rand -hex 32)",
    );
  }
  if (env.FILE_STORAGE === "s3") {
    const missing = (["S3_ENDPOINT", "S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"] as const).filter(
      (k) => !env[k],
    );
    if (missing.length > 0) {
      throw new ConfigError(`Invalid configuration:\n  ${missing.join(", ")}: required when FILE_STORAGE=s3`);
    }
  }
  if (env.DATABASE_REPLICA_URL && !env.DATABASE_URL) {
    throw new ConfigError("Invalid configuration:\n  DATABASE_REPLICA_URL: needs DATABASE_URL (the primary)");
  }
  if (!env.DATABASE_URL && (env.WEB_CONCURRENCY ?? 1) > 1) {
    throw new ConfigError(
      "Invalid configuration:\n  WEB_CONCURRENCY: the embedded database (no DATABASE_URL) is served by one process; set DATABASE_URL to use more",
    );
  }
  return env;
}

let cached: Env | undefined;
/** The process's configuration (parsed on first use). */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
