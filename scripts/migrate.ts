import { closeDatabase, database } from "../db/client";
import { migrate } from "../db/migrate";

// npm run db:migrate — apply pending migrations to the configured database.
const again = await migrate(await database());
console.log(again.length ? `applied ${again.join(", ")}` : "database is up to date");
await closeDatabase();
