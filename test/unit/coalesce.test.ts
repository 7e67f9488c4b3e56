import { describe, expect, it } from "vitest";
import { coalesce } from "../../lib/coalesce";

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("coalesce (group commit)", () => {
  it("sends a lone call at once, alone", async () => {
    const batches: number[][] = [];
    const submit = coalesce(
      async (items: number[]) => {
        batches.push(items);
        return items.map((i) => i * 10);
      },
      { maxInFlight: 1, maxBatch: 10 },
    );
    expect(await submit(1)).toBe(10);
    expect(batches).toEqual([[1]]);
  });

  it("groups the calls that arrive while a batch is at the database, each getting its own result", async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const submit = coalesce(
      async (items: number[]) => {
        batches.push(items);
        if (batches.length === 1) await gate;
        return items.map((i) => i * 10);
      },
      { maxInFlight: 1, maxBatch: 3 },
    );
    const results = [1, 2, 3, 4, 5, 6].map((i) => submit(i));
    await tick();
    expect(batches).toEqual([[1]]);
    release();
    expect(await Promise.all(results)).toEqual([10, 20, 30, 40, 50, 60]);
    expect(batches).toEqual([[1], [2, 3, 4], [5, 6]]);
  });

  it("keeps two calls with the same key out of one batch", async () => {
    const batches: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const submit = coalesce(
      async (items: string[]) => {
        batches.push(items);
        if (batches.length === 1) await gate;
        return items;
      },
      { maxInFlight: 1, maxBatch: 10, keyOf: (s) => s.split(":")[0] },
    );
    const all = Promise.all(["a:0", "a:1", "b:1", "a:2", "c:1"].map((s) => submit(s)));
    await tick();
    release();
    await all;
    expect(batches).toEqual([["a:0"], ["a:1", "b:1", "c:1"], ["a:2"]]);
  });

  it("gives an item's own error to that item only, and a batch failure to every item of the batch", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let first = true;
    const submit = coalesce(
      async (items: number[]) => {
        if (first) {
          first = false;
          await gate;
          throw new Error("database gone");
        }
        return items.map((i) => (i === 3 ? new Error("bad row 3") : i));
      },
      { maxInFlight: 1, maxBatch: 10 },
    );
    const a = submit(1).catch((e: Error) => e.message);
    const rest = [2, 3, 4].map((i) => submit(i).catch((e: Error) => e.message));
    await tick();
    release();
    expect(await a).toBe("database gone");
    expect(await Promise.all(rest)).toEqual([2, "bad row 3", 4]);
  });
});
