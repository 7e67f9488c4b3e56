import { parseArgs } from "node:util";
import { closeDatabase } from "../db/client";
import { createUser } from "../domain/auth/users";
import { AppError } from "../lib/errors";
import { prepare } from "../server/boot";

// npm run user:create -- --username admin --name 管理员 --role admin --unit city-hotline
// The password is read from the first line of stdin (never from argv, which other users can see):
//   printf '%s\n' 'a-long-password' | npm run user:create -- --username admin --name 管理员
const { values } = parseArgs({
  options: {
    username: { type: "string" },
    name: { type: "string" },
    role: { type: "string", default: "admin" },
    unit: { type: "string", default: "city-hotline" },
  },
});
if (!values.username || !values.name) {
  console.error("usage: npm run user:create -- --username <name> --name <显示名> [--role admin] [--unit city-hotline]");
  process.exit(2);
}
async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write("Password (then Enter, Ctrl-D): ");
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8").split(/\r?\n/)[0];
}
const password = await readPassword();
const { db } = await prepare();
try {
  const { id } = await createUser(db, null, {
    username: values.username,
    displayName: values.name,
    role: values.role ?? "admin",
    unitCode: values.unit ?? "city-hotline",
    password,
  });
  console.log(`created user #${id} ${values.username} (${values.role})`);
} catch (err) {
  if (err instanceof AppError) {
    console.error(err.message);
    process.exitCode = 1;
  } else throw err;
} finally {
  await closeDatabase();
}
