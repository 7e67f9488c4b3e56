import type { Db } from "../db/client";
import { open311Clients } from "../db/schema";
import { hashOpen311Key } from "../domain/open311/keys";

/** Only seeded with the demo data; never issued by issueOpen311Key. */
export const DEMO_OPEN311_KEY = "demo-open311-key";

/** Demo seeder: the documented demo key `demo-open311-key` (demo data only). Idempotent. */
export async function seedOpen311Demo(db: Db) {
  await db
    .insert(open311Clients)
    .values({
      appName: "演示客户端（仅供演示）",
      keyHash: hashOpen311Key(DEMO_OPEN311_KEY),
      keyPrefix: DEMO_OPEN311_KEY.slice(0, 8),
      isDemo: true,
    })
    .onConflictDoNothing({ target: open311Clients.keyHash });
}
