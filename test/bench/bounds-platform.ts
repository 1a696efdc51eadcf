/** The platform behind the bounds benchmark's channel: it answers, is down, or hangs. */
import type { ChannelAdapter } from "@herald/channel-kit";

export const CHANNEL = "bench";

/** A platform the benchmark controls: it answers, is down, or hangs until released. */
export class BenchPlatform implements ChannelAdapter {
  readonly policy = { name: CHANNEL, keepsWithdrawn: true };
  mode: "answer" | "down" | "hang" = "answer";
  /** Holdings another instance wrote that peer sync brought into this one. */
  restores = 0;
  private hung: (() => void)[] = [];

  apply(state: { id: string }) {
    if (this.mode === "down") {
      return Promise.reject(Object.assign(new Error("platform down"), { code: "bench.down" }));
    }
    if (this.mode === "hang") {
      return new Promise<{ externalRef: string }>((resolve) =>
        this.hung.push(() => resolve({ externalRef: `bench://${state.id}` })),
      );
    }
    return Promise.resolve({ externalRef: `bench://${state.id}` });
  }

  remove() {
    return Promise.resolve();
  }

  restore() {
    this.restores += 1;
  }

  /** Answers every hanging apply and every later one. */
  release() {
    this.mode = "answer";
    for (const finish of this.hung.splice(0)) finish();
  }
}
