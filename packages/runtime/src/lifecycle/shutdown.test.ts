import { createLogger } from "../logging/logger";
import { createShutdown } from "./shutdown";

const logger = createLogger({ service: "test", level: "silent" });

describe("graceful shutdown", () => {
  it("runs steps in reverse order of registration, once, and reports success", async () => {
    const order: string[] = [];
    const shutdown = createShutdown({ logger, exit: () => undefined });
    shutdown.add("database", () => void order.push("database"));
    shutdown.add("kafka producer", () => void order.push("producer"));
    shutdown.add("consumer", async () => {
      await Promise.resolve();
      order.push("consumer");
    });
    const [a, b] = await Promise.all([shutdown.run("SIGTERM"), shutdown.run("SIGTERM")]);
    expect(order).toEqual(["consumer", "producer", "database"]);
    expect([a, b]).toEqual([0, 0]);
  });

  it("runs the remaining steps after one fails, and reports failure", async () => {
    const order: string[] = [];
    const shutdown = createShutdown({ logger, exit: () => undefined });
    shutdown.add("database", () => void order.push("database"));
    shutdown.add("consumer", () => {
      throw new Error("leave group failed");
    });
    expect(await shutdown.run("SIGTERM")).toBe(1);
    expect(order).toEqual(["database"]);
  });

  it("gives up after the timeout when a step hangs", async () => {
    const shutdown = createShutdown({ logger, timeoutMs: 50, exit: () => undefined });
    shutdown.add("stuck", () => new Promise(() => undefined));
    expect(await shutdown.run("SIGTERM")).toBe(1);
  });
});
