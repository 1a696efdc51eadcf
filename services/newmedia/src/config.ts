import { channelEnv } from "@herald/channel-kit";
import { type ConfigOf, env } from "@herald/runtime";

/**
 * What the newmedia channel reads from its environment. Each account runs as one
 * outlet on the channel runtime, so the runtime's variables apply to every
 * account; `CHANNEL_INVENTORY_PORT` is the first account's inventory port and
 * the next accounts take the ports after it (0: any free port, announced).
 */
export const newmediaEnv = {
  ...channelEnv,
  /** JSON file of the WeChat and Weibo accounts (services/newmedia/README.md). */
  NEWMEDIA_ACCOUNTS_FILE: env.string().describe("accounts file"),
  /** The channel's own records (what each platform holds, media, tasks, post times). */
  NEWMEDIA_DB: env.identifier().default("herald_newmedia").describe("database name"),
  /** Health (/livez, /readyz), /metrics and the operators' API. */
  NEWMEDIA_HTTP_PORT: env.port().default(4200).describe("HTTP port"),
  NEWMEDIA_HTTP_HOST: env.string().default("127.0.0.1").describe("HTTP bind address"),
  /** JSON token file (role `operator`) of who may list accounts and close operator tasks. */
  NEWMEDIA_OPERATOR_TOKENS_FILE: env.string().describe("operator token file"),
  /** A quota used beyond this share of its daily limit is a warning. */
  NEWMEDIA_QUOTA_WARNING_PERCENT: env
    .int({ min: 10, max: 100 })
    .default(80)
    .describe("percent of the daily limit"),
  /** First poll of a WeChat publish job; later polls back off, within the daily quota. */
  NEWMEDIA_WECHAT_POLL_MS: env.int({ min: 10, max: 600_000 }).default(3000).describe("ms"),
};

export type NewmediaConfig = ConfigOf<typeof newmediaEnv>;
