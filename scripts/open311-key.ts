import { closeDatabase } from "../db/client";
import { issueOpen311Key, listOpen311Clients, revokeOpen311Key } from "../domain/open311/keys";
import { prepare } from "../server/boot";

// npm run open311:key -- "<app name>"      issue an Open311 API key to a client application
// npm run open311:key -- --list            list client applications (no keys: only their hashes are stored)
// npm run open311:key -- --revoke <id>     revoke a client's key
// The key is printed once; only its SHA-256 is stored.
const args = process.argv.slice(2);
const usage = 'usage: npm run open311:key -- "<app name>" | --list | --revoke <id>';
let code = 0;
try {
  const { db } = await prepare();
  if (args[0] === "--list") {
    for (const c of await listOpen311Clients(db)) {
      const state = c.revokedAt ? `revoked ${c.revokedAt}` : "active";
      console.log(`${c.id}\t${c.keyPrefix}…\t${state}\t${c.isDemo ? "[demo] " : ""}${c.appName}`);
    }
  } else if (args[0] === "--revoke" && /^\d+$/.test(args[1] ?? "")) {
    const c = await revokeOpen311Key(db, Number(args[1]));
    console.log(`revoked key ${c.keyPrefix}… of "${c.appName}"`);
  } else if (args.length === 1 && args[0] && !args[0].startsWith("--")) {
    const { client, key } = await issueOpen311Key(db, { appName: args[0] });
    console.log(
      `Open311 API key for "${client.appName}" (client id ${client.id}). Shown only now; store it in the app:`,
    );
    console.log(key);
  } else {
    console.error(usage);
    code = 2;
  }
} catch (err) {
  console.error((err as Error).message);
  code = 1;
} finally {
  await closeDatabase();
}
process.exit(code);
