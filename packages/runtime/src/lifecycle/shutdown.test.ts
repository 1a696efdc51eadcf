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

describe("on SIGTERM", () => {
  it("runs the steps and exits 0 once they finish", async () => {
    const { spawn } = await import("node:child_process");
    const script = `
      const { createShutdown, createLogger } = require("@herald/runtime");
      const shutdown = createShutdown({ logger: createLogger({ service: "t", level: "silent" }) });
      shutdown.add("database", () => process.stdout.write("closed database\\n"));
      shutdown.add("consumer", () => new Promise((r) => setTimeout(() => { process.stdout.write("stopped consumer\\n"); r(); }, 100)));
      shutdown.installSignalHandlers();
      process.stdout.write("ready\\n");
      setInterval(() => {}, 1000);
    `;
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--conditions=herald-source", "-e", script],
      {
        cwd: __dirname,
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out === "ready\n") child.kill("SIGTERM");
    });
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    expect(out).toBe("ready\nstopped consumer\nclosed database\n");
    expect(code).toBe(0);
  });
});
