import { EventEmitter } from "node:events";
import type { Consumer } from "kafkajs";
import { createLogger } from "../logging/logger";
import { restartAfterCrash } from "./crash-restart";

/** The part of a kafkajs consumer the restarter uses, with a connect the test releases. */
function crashingConsumer() {
  const emitter = new EventEmitter();
  let release: () => void = () => undefined;
  const consumer = {
    events: { CRASH: "consumer.crash" },
    on: (event: string, listener: (e: unknown) => void) => emitter.on(event, listener),
    connect: jest.fn(() => new Promise<void>((resolve) => (release = resolve))),
  };
  return {
    consumer: consumer as unknown as Consumer,
    connect: consumer.connect,
    crash: () =>
      emitter.emit("consumer.crash", { payload: { restart: false, error: new Error("x") } }),
    releaseConnect: () => release(),
  };
}

const logger = createLogger({ service: "test", level: "silent" });

describe("restartAfterCrash", () => {
  it("never runs the consumer again once its owner began to stop during the restart", async () => {
    const c = crashingConsumer();
    let stopping = false;
    const run = jest.fn(() => Promise.resolve());
    const onRestarted = jest.fn();
    const cancel = restartAfterCrash(c.consumer, {
      run,
      stopping: () => stopping,
      logger,
      onRestarted,
      initialDelayMs: 1,
    });
    c.crash();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(c.connect).toHaveBeenCalledTimes(1);

    // The owner stops while the restart is connecting; its stop awaits the restart.
    stopping = true;
    let cancelled = false;
    const stop = cancel().then(() => (cancelled = true));
    await Promise.resolve();
    expect(cancelled).toBe(false);
    c.releaseConnect();
    await stop;

    expect(run).not.toHaveBeenCalled();
    expect(onRestarted).not.toHaveBeenCalled();
  });

  it("runs the consumer again after a crash while nobody stops it", async () => {
    const c = crashingConsumer();
    const run = jest.fn(() => Promise.resolve());
    const onRestarted = jest.fn();
    const cancel = restartAfterCrash(c.consumer, {
      run,
      stopping: () => false,
      logger,
      onRestarted,
      initialDelayMs: 1,
    });
    c.crash();
    await new Promise((resolve) => setTimeout(resolve, 20));
    c.releaseConnect();
    await cancel();
    expect(run).toHaveBeenCalledTimes(1);
    expect(onRestarted).toHaveBeenCalledTimes(1);
  });
});
