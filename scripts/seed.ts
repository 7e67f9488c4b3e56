import { closeDatabase } from "../db/client";
import { seedDemo, seedReference } from "../seed";
import { prepare } from "../server/boot";

// npm run seed — reference data and demo content (idempotent: safe to run again).
const { db } = await prepare({ seed: false });
await seedReference(db);
await seedDemo(db);
console.log("seeded reference and demo data");
await closeDatabase();
