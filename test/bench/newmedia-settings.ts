/**
 * What the newmedia benchmark runs with: the channel's production settings, and
 * a clock the emulator and the channel share, which a phase may move forward.
 */
import { newmediaEnv } from "@herald/newmedia";
import { loadConfig } from "@herald/runtime";

/**
 * The channel's own defaults (retries, session, lag interval, the WeChat first
 * poll of 3 s), read from its configuration, instead of the quick ones tests use.
 */
export function productionChannelEnv(): Record<string, string> {
  const defaults = loadConfig(newmediaEnv, {
    KAFKA_BROKERS: "127.0.0.1:9092",
    MONGO_URL: "mongodb://127.0.0.1:27017",
    CHANNEL_INVENTORY_PORT: "0",
    CHANNEL_INVENTORY_TOKENS_FILE: "unused",
    NEWMEDIA_ACCOUNTS_FILE: "unused",
    NEWMEDIA_OPERATOR_TOKENS_FILE: "unused",
  });
  const names = [
    "CHANNEL_RETRY_INITIAL_MS",
    "CHANNEL_RETRY_MAX_MS",
    "CHANNEL_LAG_INTERVAL_MS",
    "CHANNEL_SESSION_TIMEOUT_MS",
    "NEWMEDIA_WECHAT_POLL_MS",
  ] as const satisfies readonly (keyof typeof defaults)[];
  return Object.fromEntries(names.map((name) => [name, String(defaults[name])]));
}

/** Real time plus an offset a phase may move forward. */
export class BenchClock {
  private offset = 0;
  readonly now = (): number => Date.now() + this.offset;

  advance(ms: number): void {
    this.offset += ms;
  }

  /** Moves to one second past the next midnight in Beijing, when WeChat's daily quotas reset. */
  nextDay(): void {
    const beijing = 8 * 3600_000;
    const day = 86_400_000;
    const midnight = (Math.floor((this.now() + beijing) / day) + 1) * day - beijing;
    this.offset += midnight + 1000 - this.now();
  }
}
