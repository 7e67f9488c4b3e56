import { beforeAll, beforeEach } from "vitest";
import { resetDatabase, testDatabase } from "./db";

beforeAll(async () => {
  await testDatabase();
});

beforeEach(async () => {
  await resetDatabase();
});
