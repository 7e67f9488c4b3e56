import { hash, verify } from "@node-rs/argon2";

// argon2id with OWASP's recommended parameters (19 MiB, 2 passes).
const OPTIONS = { algorithm: 2 /* Algorithm.Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (!stored) return false;
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** A password policy a person can follow: at least 10 characters, not all one kind. */
export function passwordProblem(password: string): string | null {
  if (password.length < 10) return "密码至少 10 位";
  if (password.length > 200) return "密码过长";
  if (/^\d+$/.test(password) || /^[a-zA-Z]+$/.test(password)) return "密码不能只有数字或只有字母";
  return null;
}

let dummy: Promise<string> | undefined;
/** Spend the same time on unknown usernames as on known ones. */
export async function burnVerify(password: string) {
  dummy ??= hashPassword("dummy-password-for-timing");
  await verifyPassword(await dummy, password);
}
