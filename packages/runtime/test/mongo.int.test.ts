import { createServer, connect as connectTcp } from "node:net";
import { freePort, testStack, useTestNamespace } from "@herald/test-harness";
import { Schema, type Connection } from "mongoose";
import { connectMongo } from "../src/mongo/connect";
import { testLogger } from "./support";

const ns = useTestNamespace("mongo");
const connections: Connection[] = [];

async function connect(): Promise<Connection> {
  const connection = await connectMongo({
    url: testStack().mongoUrl,
    dbName: ns.dbName("content"),
    logger: testLogger,
  });
  connections.push(connection);
  return connection;
}

ns.beforeCleanup(async () => {
  await Promise.all(connections.map((c) => c.close()));
});

interface Item {
  _id: string;
  title: string;
  version: number;
  tags: string[];
}

const itemSchema = new Schema<Item>({
  _id: { type: String, required: true },
  title: { type: String, required: true },
  version: { type: Number, required: true },
  tags: [String],
});

interface VersionClaim {
  itemId: string;
  version: number;
  writer: string;
}

const claimSchema = new Schema<VersionClaim>({
  itemId: { type: String, required: true },
  version: { type: Number, required: true },
  writer: { type: String, required: true },
});
claimSchema.index({ itemId: 1, version: 1 }, { unique: true });

describe("mongoose on the MongoDB-protocol database", () => {
  it("saves, updates and reads back a document", async () => {
    const db = await connect();
    const Items = db.model("Item", itemSchema);
    await Items.create({ _id: "hg-2016-0030", title: "工作要点", version: 1, tags: ["政务公开"] });
    await Items.updateOne(
      { _id: "hg-2016-0030" },
      { $set: { title: "2016年海关政务公开工作要点" }, $inc: { version: 1 } },
    );
    const read = await Items.findById("hg-2016-0030").lean();
    expect(read).toEqual({
      _id: "hg-2016-0030",
      title: "2016年海关政务公开工作要点",
      version: 2,
      tags: ["政务公开"],
      __v: 0,
    });
  });

  it("lets exactly one of two concurrent writers claim a version through a unique index", async () => {
    const [a, b] = [await connect(), await connect()];
    const ClaimsA = a.model("VersionClaim", claimSchema);
    const ClaimsB = b.model("VersionClaim", claimSchema);
    await ClaimsA.init();
    await ClaimsB.init();

    for (let version = 1; version <= 20; version += 1) {
      const results = await Promise.allSettled([
        ClaimsA.create({ itemId: "hg-2016-0030", version, writer: "a" }),
        ClaimsB.create({ itemId: "hg-2016-0030", version, writer: "b" }),
      ]);
      const won = results.filter((r) => r.status === "fulfilled");
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect((lost[0]?.reason as { code?: number }).code).toBe(11000);
    }
    expect(await ClaimsA.countDocuments({ itemId: "hg-2016-0030" })).toBe(20);
  });

  it("is FerretDB when the harness started the local stack", async () => {
    const db = await connect();
    const info = await db.db!.admin().command({ buildInfo: 1 });
    if (testStack().kind === "herald-stack") {
      expect(info.ferretdbVersion).toBe("v1.24.2");
    } else {
      expect(typeof info.version).toBe("string");
    }
  });
});

describe("connectMongo", () => {
  it("keeps retrying while the database is unreachable and connects once it answers", async () => {
    const port = await freePort();
    const target = new URL(testStack().mongoUrl);
    const connecting = connectMongo({
      url: `mongodb://127.0.0.1:${port}/?directConnection=true`,
      dbName: ns.dbName("late"),
      logger: testLogger,
      attempts: 20,
      serverSelectionTimeoutMs: 300,
    });
    // The database "comes up" a little later: a TCP relay to the real one opens on the port.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const relay = createServer((client) => {
      const upstream = connectTcp(Number(target.port || 27017), target.hostname);
      client.pipe(upstream).pipe(client);
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
    });
    await new Promise<void>((resolve) => relay.listen(port, "127.0.0.1", resolve));
    try {
      const connection = await connecting;
      connections.push(connection);
      const pong = await connection.db!.admin().command({ ping: 1 });
      expect(pong.ok).toBe(1);
    } finally {
      await Promise.all(connections.map((c) => c.close()));
      connections.length = 0;
      relay.close();
    }
  });

  it("gives up after the configured attempts with the driver's error", async () => {
    const port = await freePort();
    await expect(
      connectMongo({
        url: `mongodb://127.0.0.1:${port}`,
        dbName: ns.dbName("never"),
        logger: testLogger,
        attempts: 2,
        serverSelectionTimeoutMs: 200,
      }),
    ).rejects.toThrow(/ECONNREFUSED|Server selection timed out/);
  });
});
