/**
 * The fault run: the broker, then the database, killed with SIGKILL in the middle of
 * a load, on a stack of this file's own (so the other tests' stack is untouched).
 * Content, the portal and the reconciler run in this process and must ride it out:
 * every accepted item ends up held by the portal, each applied exactly once, and
 * the reconciler, auditing while the portal is still catching up, reports no loss.
 *
 * `herald test` runs the short form (HERALD_FAULT_ITEMS, default 300 items);
 * `pnpm test:fault` runs the long one (3,000 items).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createLogger, type LogLevel } from "@herald/runtime";
import {
  expectSucceeded as succeeded,
  herald,
  heraldAsync,
  privateStackEnv,
  waitFor,
} from "@herald/test-harness";
import {
  type ContentService,
  type PortalService,
  type ReconcilerService,
  type ServicePlace,
  startHeraldServices,
} from "@herald/test-harness/services";
import { MongoClient } from "mongodb";

const ITEMS = Number(process.env.HERALD_FAULT_ITEMS ?? 300);
const ADMIN = "fault-admin-token";
const PORTAL = "fault-portal-token";
// HERALD_FAULT_LOG=info shows what the services logged while the stack was down.
const logger = createLogger({
  service: "fault-test",
  level: (process.env.HERALD_FAULT_LOG ?? "silent") as LogLevel,
});

const home = mkdtempSync(join(tmpdir(), "herald-fault-"));
const prefix = `fault${Date.now().toString(36)}.`;
let env: NodeJS.ProcessEnv;
let brokers: string[];
let mongoUrl: string;
let content: ContentService | undefined;
let portal: PortalService | undefined;
let reconciler: ReconcilerService | undefined;
let mongo: MongoClient | undefined;
const stops: Array<() => Promise<void> | void> = [];

function serverPid(name: "kafka" | "ferretdb"): number {
  const record = JSON.parse(readFileSync(join(home, "stack", name, `${name}.pid`), "utf8")) as {
    pid: number;
  };
  return record.pid;
}

/** SIGKILL to the server's process group, as a crash or the OOM killer would. */
function kill9(name: "kafka" | "ferretdb"): void {
  const pid = serverPid(name);
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    process.kill(pid, "SIGKILL");
  }
}

beforeAll(async () => {
  ({ env, brokers, mongoUrl } = await privateStackEnv(home));
  succeeded(herald(["stack", "up"], env));
  mongo = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 60_000 });
  await mongo.connect();

  // Services stop before the stack does, last started first (see afterAll).
  const place: ServicePlace = {
    topicPrefix: prefix,
    dbName: (name) => `fault_${name}`,
    groupId: (name) => `fault-${name}`,
    beforeCleanup: (stop) => void stops.push(stop),
  };
  const services = await startHeraldServices(place, {
    stack: { brokers, mongoUrl },
    logger,
    tokens: { admin: ADMIN, portal: PORTAL },
    portal: true,
  });
  ({ content, portal } = services);
  reconciler = await services.startReconciler({
    env: { RECONCILER_CHANNELS: `portal=127.0.0.1:${portal.inventoryPort}` },
  });
}, 300_000);

afterAll(async () => {
  // A stop that fails is reported, not swallowed: a service left running after the
  // file ends keeps reconnecting to the stack stopped below and loads modules after
  // jest has torn the file's environment down, which fails the run with no test failed.
  for (const stop of stops.splice(0).reverse()) {
    await Promise.resolve(stop()).catch((error: unknown) =>
      process.stderr.write(`fault run: a service did not stop: ${String(error)}\n`),
    );
  }
  await mongo?.close().catch(() => undefined);
  herald(["stack", "down"], env);
  rmSync(home, { recursive: true, force: true });
}, 120_000);

/**
 * Publishes `ids` through the HTTP API as an upstream system would: each with its
 * own id, retried until the service accepts it (a retry of the same id and content
 * returns the item), four at a time.
 */
async function load(ids: readonly string[], onAccepted: (count: number) => void): Promise<void> {
  let next = 0;
  let accepted = 0;
  const worker = async () => {
    for (let i = next++; i < ids.length; i = next++) {
      const id = ids[i]!;
      for (;;) {
        const response = await fetch(`http://127.0.0.1:${content!.httpPort}/api/publish`, {
          method: "POST",
          headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
          body: JSON.stringify({
            id,
            kind: "news",
            title: `故障演练 ${id}`,
            body: `<p>第 ${i} 条。</p>`,
            category: "工作动态",
          }),
          signal: AbortSignal.timeout(30_000),
        }).catch(() => undefined);
        if (response && (response.status === 201 || response.status === 200)) break;
        // The client's own back-off before it retries, as an upstream system's would be.
        await sleep(250);
      }
      onAccepted(++accepted);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

interface HoldingDoc {
  _id: string;
  version: number;
  status: string;
  applies: number;
}

async function portalHoldings(ids: readonly string[]): Promise<Map<string, HoldingDoc>> {
  const wanted = new Set(ids);
  const docs = await mongo!
    .db("fault_portal")
    .collection<HoldingDoc>("holdings")
    .find({}, { projection: { _id: 1, version: 1, status: 1, applies: 1 } })
    .toArray();
  return new Map(docs.filter((d) => wanted.has(d._id)).map((d) => [d._id, d]));
}

async function expectAllHeldOnce(ids: readonly string[], description: string): Promise<void> {
  const held = await waitFor(
    async () => {
      const holdings = await portalHoldings(ids).catch(() => undefined);
      const count = holdings ? [...holdings.values()].filter((h) => h.status === "held").length : 0;
      return count === ids.length ? holdings : undefined;
    },
    { timeoutMs: 240_000, intervalMs: 1_000, description },
  );
  const twice = [...held.values()]
    .filter((h) => h.applies !== 1)
    .map((h) => `${h._id}×${h.applies}`);
  expect(twice).toEqual([]);
}

function portalStates(ids: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of ids) {
    const state = reconciler!.queries
      .itemStatus(id)
      ?.channels.find((c) => c.channel === "portal")?.state;
    counts.set(state ?? "unknown", (counts.get(state ?? "unknown") ?? 0) + 1);
  }
  return counts;
}

describe("the stack killed under load", () => {
  it(`kill -9 of the broker during a load of ${ITEMS} items: every item is held, each applied once, and an audit during the catch-up reports no loss`, async () => {
    const ids = Array.from({ length: ITEMS }, (_, i) => `fault-broker-${i}`);
    let killed = false;
    const loading = load(ids, (count) => {
      if (!killed && count >= ITEMS / 3) {
        killed = true;
        kill9("kafka");
      }
    });
    await loading;
    expect(killed).toBe(true);
    // Every item is accepted while the broker is down; bring it back as an operator would.
    succeeded(await heraldAsync(["stack", "up"], env));

    // Audit as soon as the portal answers again, while it is still catching up: what
    // it has not consumed yet is in flight, not lost, and must not be redelivered.
    await waitFor(
      async () => {
        const report = await reconciler!.actions.runAudit(["portal"]).catch(() => undefined);
        return report?.runs.some((r) => r.channel === "portal" && !r.error) ? report : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500, description: "an audit of the portal" },
    );
    await expectAllHeldOnce(ids, `all ${ITEMS} items held by the portal`);

    // The reconciler agrees: every item delivered, nothing missing, nothing repaired.
    let states = new Map<string, number>();
    await waitFor(
      async () => {
        await reconciler!.tick();
        states = portalStates(ids);
        return states.get("delivered") === ITEMS;
      },
      {
        timeoutMs: 120_000,
        intervalMs: 500,
        description: "every item delivered on the reconciler",
      },
    ).catch((error: unknown) => {
      const seen = JSON.stringify(Object.fromEntries(states));
      throw new Error(
        `${(error as Error).message}; states on the portal: ${seen}; reconciler: ${reconciler!.ready().detail}`,
      );
    });
    const findings = reconciler!.queries.findings({}).filter((f) => ids.includes(f.itemId));
    expect(findings).toEqual([]);
  }, 600_000);

  it(`kill -9 of the database during a load of ${ITEMS} items: every accepted item is held, each applied once`, async () => {
    const ids = Array.from({ length: ITEMS }, (_, i) => `fault-db-${i}`);
    let killed = false;
    let restarting: Promise<unknown> | undefined;
    await load(ids, (count) => {
      if (!killed && count >= ITEMS / 3) {
        killed = true;
        kill9("ferretdb");
        // Back as soon as it is gone, while the load keeps retrying against it.
        restarting = heraldAsync(["stack", "up"], env).then(succeeded);
      }
    });
    expect(killed).toBe(true);
    await restarting;
    await expectAllHeldOnce(
      ids,
      `all ${ITEMS} items held by the portal after the database's restart`,
    );
  }, 600_000);
});
