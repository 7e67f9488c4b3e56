import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { app } from "../../api/app";
import { logApp } from "../../api/log/app";
import { logVerifierKey } from "../../domain/transparency/keys";
import { servedCheckpoint } from "../../domain/transparency/read";
import { sequenceLog } from "../../domain/transparency/sequencer";
import { cosignLatest, forgetWitnesses, witnessHealth } from "../../domain/transparency/witnesses";
import { utf8 } from "../../lib/tlog/bytes";
import { sha256 } from "../../lib/tlog/merkle";
import { ALG_COSIGNATURE_V1, checkNoteSignatures, parseNote, parseVerifierKey } from "../../lib/tlog/note";
import { parseSignerKey, signerKeyString } from "../../lib/tlog/signer";
import { verifyProof } from "../../lib/tlog/verify";
import { fileAnonymousComplaint } from "../support/console";
import { testDatabase } from "../support/db";

// Witnesses (C2SP tlog-witness) against the real log: a real witness process (npm run log:witness)
// cosigns each new checkpoint after checking its consistency proof; /log/checkpoint carries the
// cosignature; Go's sumdb/note verifies the note with both signatures; a witness that is down costs a
// timeout and a backoff, never sequencing.

const dir = mkdtempSync(path.join(tmpdir(), "tlog-witness-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
});

const witnessKey = signerKeyString("witness.example/w1", sha256(utf8("witness test seed")), ALG_COSIGNATURE_V1);
const witnessVkey = parseSignerKey(witnessKey).vkey;

/** Start `npm run log:witness` on a free port; resolves with its URL once it listens. */
function startWitness(stateFile: string): Promise<{ url: string; child: ChildProcess }> {
  const keyFile = path.join(dir, "witness.key");
  writeFileSync(keyFile, witnessKey);
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "scripts/log-witness.ts",
      "--key",
      keyFile,
      "--log",
      logVerifierKey(),
      "--port",
      "0",
      "--state",
      stateFile,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ url: m[1], child });
    });
    child.stderr?.on("data", (d) => {
      out += d;
    });
    child.on("exit", (code) => reject(new Error(`witness exited (${code}): ${out}`)));
  });
}

async function addEntries(from: number, count: number) {
  const { db } = await testDatabase();
  await db.execute(sql`INSERT INTO log_pending (entry, ref)
    SELECT '{"n":' || g || ',"type":"test","v":1}', 'test:' || g FROM generate_series(${from}::int, ${from + count - 1}::int) g`);
  return (await sequenceLog(db)).size;
}

const servedNote = async () => (await (await logApp.request("/log/checkpoint")).text()) as string;

describe("witnesses", () => {
  it("a witness process cosigns consistent checkpoints; the served note verifies in Go with both signatures", async () => {
    const { db } = await testDatabase();
    forgetWitnesses();
    const { url, child } = await startWitness(path.join(dir, "state.json"));
    const witnesses = [{ vkey: witnessVkey, url }];
    const logKey = await parseVerifierKey(logVerifierKey());
    const wKey = await parseVerifierKey(witnessVkey);

    expect(await addEntries(1, 300)).toBe(300);
    expect(await cosignLatest(db, { witnesses })).toBe(1);
    let note = await servedNote();
    let checks = await checkNoteSignatures(parseNote(note), [logKey, wKey]);
    expect(checks.map((c) => [c.key.name, c.ok])).toEqual([
      [logKey.name, true],
      ["witness.example/w1", true],
    ]);
    // A larger tree: the witness checks the consistency proof from 300 before cosigning.
    expect(await addEntries(301, 700)).toBe(1000);
    expect(await cosignLatest(db, { witnesses })).toBe(1);
    expect(await cosignLatest(db, { witnesses })).toBe(0); // already cosigned
    note = await servedNote();
    expect(note.split("\n")[1]).toBe("1000");
    checks = await checkNoteSignatures(parseNote(note), [logKey, wKey]);
    expect(checks.every((c) => c.ok) && checks.length === 2).toBe(true);
    expect((await witnessHealth(witnesses))[0]).toMatchObject({ cosignedSize: 1000, failures: 0 });

    // Go's sumdb/note opens the served note with the log's key and the witness's cosignature key.
    const goDir = mkdtempSync(path.join(dir, "go-"));
    writeFileSync(path.join(goDir, "vkey"), logVerifierKey());
    writeFileSync(path.join(goDir, "witness-vkey"), witnessVkey);
    writeFileSync(path.join(goDir, "checkpoint"), note);
    const env = { ...process.env, GO111MODULE: "off", GOPATH: "/usr/share/gocode", GOFLAGS: "" };
    const go = spawnSync("go", ["run", "./test/interop/tlog", "-cosigned", goDir], { env, encoding: "utf8" });
    expect(go.status, `${go.stdout}${go.stderr}`).toBe(0);
    expect(go.stdout).toContain("(witness)");

    // A reporter's proof of filing carries the cosigned checkpoint: verifiable offline with the witness's key.
    const filed = await fileAnonymousComplaint();
    expect(filed.status, filed.text).toBe(201);
    await sequenceLog(db);
    expect(await cosignLatest(db, { witnesses })).toBe(1);
    const proof = await app.request(`/api/tickets/${filed.body.number}/proof`, {
      headers: { "X-Receipt": filed.body.receipt },
    });
    expect(proof.status).toBe(200);
    const verified = await verifyProof(await proof.text(), {
      origin: logKey.name,
      logKey: logVerifierKey(),
      witnessKeys: [witnessVkey],
    });
    expect(verified.ok, JSON.stringify(verified.checks)).toBe(true);
    expect(verified.checks.find((c) => c.id === "witnesses")?.message).toContain("1 个有效");

    // The witness goes down: sequencing goes on, the witness is backed off, health says why.
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    const before = Number((await servedNote()).split("\n")[1]);
    expect(await addEntries(1001, 5)).toBe(before + 5);
    expect(await cosignLatest(db, { witnesses })).toBe(0);
    const health = (await witnessHealth(witnesses))[0];
    expect(health).toMatchObject({ cosignedSize: before, failures: 1 });
    expect(health.retryAt).toBeGreaterThan(Date.now());
    expect(await cosignLatest(db, { witnesses })).toBe(0); // in backoff: not even tried
    expect((await witnessHealth(witnesses))[0].failures).toBe(1);
    // With one witness configured, the newest checkpoint is not served before its witness round is over
    // (cosigned, or 5 s old), so the size served never goes back; without witnesses it is the newest.
    expect((await servedCheckpoint(db, 1))?.size).toBe(before);
    expect(Number((await servedNote()).split("\n")[1])).toBe(before + 5);
    // Once the round has timed out, the uncosigned checkpoint is served.
    await db.transaction(async (tx) => {
      await tx.execute(sql`SET LOCAL session_replication_role = replica`);
      await tx.execute(
        sql`UPDATE log_checkpoints SET created_at = now() - interval '6 seconds' WHERE size = ${before + 5}`,
      );
    });
    expect((await servedCheckpoint(db, 1))?.size).toBe(before + 5);

    // Restarted from its state file, it continues from where it was (the log learns that from a 409 if needed).
    forgetWitnesses();
    const again = await startWitness(path.join(dir, "state.json"));
    const moved = [{ vkey: witnessVkey, url: again.url }];
    expect(await cosignLatest(db, { witnesses: moved })).toBe(1);
    expect((await witnessHealth(moved))[0]).toMatchObject({ cosignedSize: before + 5, failures: 0 });
    forgetWitnesses();
  });
});
