import { testStack, useTestNamespace } from "@herald/test-harness";
import { type Db, MongoClient } from "mongodb";
import { ferretdbPatchTags } from "../src/stack/ferretdb-patches";

// The limits the local stack must hold for every caller, on the suite's own stack:
// FerretDB must not hang on one large update command.
const ns = useTestNamespace("stack-limits");
const clients: MongoClient[] = [];

ns.beforeCleanup(async () => {
  await Promise.all(clients.map((client) => client.close(true)));
});

async function database(name: string): Promise<Db> {
  const client = new MongoClient(testStack().mongoUrl, { serverSelectionTimeoutMS: 10_000 });
  clients.push(client);
  await client.connect();
  return client.db(ns.dbName(name));
}

/** Settles with `work`, or fails after `ms`: a regression here hangs rather than errs. */
async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not complete within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Refuses to send the large command to a FerretDB built without the patch: there it
 * would hang the database and then the whole server, which every other test file
 * shares. A MongoDB server has no such limit and is tested as it is.
 */
async function requireUpdateReadersPatch(db: Db): Promise<void> {
  const info = await db.admin().command({ buildInfo: 1 });
  if (typeof info.ferretdbVersion !== "string") return;
  const environment = info.buildEnvironment as Record<string, unknown> | undefined;
  const recorded = environment?.["-tags"];
  const tags = typeof recorded === "string" ? recorded.split(",") : [];
  const wanted = ferretdbPatchTags().find((tag) => tag.endsWith("close_update_readers"));
  if (wanted === undefined || !tags.includes(wanted)) {
    throw new Error(
      `the FerretDB at ${testStack().mongoUrl} was built without ${String(wanted)} (build tags: "${tags.join(",")}"); ` +
        "it would hang on this test. Restart the stack so it runs the current build: herald stack down && herald stack up",
    );
  }
}

describe("FerretDB: no single command hangs the database", () => {
  it("one update command of 150 updates of existing documents completes, and a collection can be created after it", async () => {
    const db = await database("bulk");
    await requireUpdateReadersPatch(db);
    const ids = Array.from({ length: 150 }, (_, i) => `item-${String(i).padStart(3, "0")}`);
    await db
      .collection<{ _id: string; version: number }>("items")
      .insertMany(ids.map((_id) => ({ _id, version: 1 })));

    // One command, 150 statements: FerretDB 1.24 kept each statement's SQLite reader
    // open until the command ended and waited forever for the 100th connection.
    const result = await within(
      30_000,
      "one update command of 150 updates",
      db.command({
        update: "items",
        updates: ids.map((_id) => ({ q: { _id }, u: { $set: { version: 2 } } })),
      }),
    );
    expect(result).toMatchObject({ ok: 1, n: 150, nModified: 150 });
    const versions = await db
      .collection<{ _id: string; version: number }>("items")
      .find({}, { sort: { _id: 1 } })
      .toArray();
    expect(versions.map((doc) => doc.version)).toEqual(ids.map(() => 2));

    // Creating a collection needs the database's lock, which a hung command held.
    await within(30_000, "creating a collection after the update", db.createCollection("after"));
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names.sort()).toEqual(["after", "items"]);
  }, 90_000);
});
