/**
 * Test support shared with other packages' tests (`@herald/newmedia/testing`):
 * the newmedia channel in process, on free ports, with an inventory token of its
 * own, its accounts given as an object.
 */
import type { CurrentStateSource } from "@herald/channel-kit";
import { testChannelEnv, writeInventoryTokenFile } from "@herald/channel-kit/testing";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Logger, loadConfig, writeSecretFile } from "@herald/runtime";
import { type AccountsFile, accountsFileSchema } from "./accounts";
import { newmediaEnv } from "./config";
import { platformPublishers } from "./platform-publishers";
import { type NewmediaService, type PublisherFactories, startNewmedia } from "./service";

export type { NewmediaService } from "./service";

export const TEST_INVENTORY_TOKEN = "test-inventory-token";

/** Writes a secret (a WeChat AppSecret, a Weibo token) alone in a file of its own, mode 0600. */
export function writeTestSecret(value: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "newmedia-secret-")), "secret");
  writeSecretFile(path, value);
  return path;
}

export interface TestNewmediaOptions {
  brokers: readonly string[];
  mongoUrl: string;
  topicPrefix: string;
  /** The channel's database; each account's is this name with the account after it. */
  dbName: string;
  /** The consumer groups' prefix; each account's group is this with the account after it. */
  groupId: string;
  logger: Logger;
  /** The accounts file's content (checked as the file would be). */
  accounts: unknown;
  content?: CurrentStateSource;
  now?: () => number;
  /** Default: the real WeChat and Weibo pipelines. */
  factories?: PublisherFactories;
  env?: Record<string, string>;
}

/** Starts the newmedia channel for a test: free ports, quick retries, silent. */
export function startTestNewmedia(options: TestNewmediaOptions): Promise<NewmediaService> {
  const accounts: AccountsFile = accountsFileSchema.parse(options.accounts);
  const config = loadConfig(newmediaEnv, {
    ...testChannelEnv({
      ...options,
      inventoryTokensFile: writeInventoryTokenFile({ reconciler: TEST_INVENTORY_TOKEN }),
    }),
    CHANNEL_GROUP: options.groupId,
    NEWMEDIA_ACCOUNTS_FILE: "(given in process)",
    NEWMEDIA_DB: options.dbName,
    NEWMEDIA_OPERATOR_TOKENS_FILE: "(not served in process)",
    NEWMEDIA_WECHAT_POLL_MS: "50",
    ...options.env,
  });
  return startNewmedia(config, options.logger, {
    factories: options.factories ?? platformPublishers,
    accounts,
    ...(options.content ? { content: options.content } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}
