import { closeDatabase, database } from "../db/client";
import { seedDemo, seedReference } from "../db/seed";

// npm run seed — reference data and demo content (idempotent: safe to run again).
const { db } = await database();
await seedReference(db);
await seedDemo(db);
console.log("seeded reference and demo data");
await closeDatabase();
