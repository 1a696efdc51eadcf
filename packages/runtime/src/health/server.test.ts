import { createLogger } from "../logging/logger";
import { startHealthServer, type HealthServer } from "./server";

const logger = createLogger({ service: "test", level: "silent" });
let server: HealthServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function get(path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${server!.port}${path}`);
  return { status: res.status, body: await res.json() };
}

describe("the health endpoint", () => {
  it("answers /livez while the process runs, whatever the checks say", async () => {
    server = await startHealthServer({ port: 0, logger, checks: { kafka: () => false } });
    expect(await get("/livez")).toEqual({ status: 200, body: { status: "ok" } });
  });

  it("answers /readyz 200 only when every check passes, naming each", async () => {
    let kafkaUp = true;
    server = await startHealthServer({
      port: 0,
      logger,
      checks: {
        kafka: () => kafkaUp,
        database: () => Promise.resolve({ ok: true, detail: "hello answered" }),
      },
    });
    expect(await get("/readyz")).toEqual({
      status: 200,
      body: {
        status: "ok",
        checks: { kafka: { ok: true }, database: { ok: true, detail: "hello answered" } },
      },
    });
    kafkaUp = false;
    expect(await get("/readyz")).toEqual({
      status: 503,
      body: {
        status: "unavailable",
        checks: { kafka: { ok: false }, database: { ok: true, detail: "hello answered" } },
      },
    });
  });

  it("fails a check that throws or hangs, with the reason", async () => {
    server = await startHealthServer({
      port: 0,
      logger,
      checkTimeoutMs: 50,
      checks: {
        consumer: () => {
          throw new Error("consumer crashed");
        },
        database: () => new Promise(() => undefined),
      },
    });
    expect(await get("/readyz")).toEqual({
      status: 503,
      body: {
        status: "unavailable",
        checks: {
          consumer: { ok: false, detail: "consumer crashed" },
          database: { ok: false, detail: "timed out after 50 ms" },
        },
      },
    });
  });

  it("answers 404 for other paths and 405 for other methods", async () => {
    server = await startHealthServer({ port: 0, logger, checks: {} });
    expect((await get("/metrics")).status).toBe(404);
    const res = await fetch(`http://127.0.0.1:${server.port}/readyz`, { method: "POST" });
    expect(res.status).toBe(405);
  });
});
