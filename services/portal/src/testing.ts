/**
 * Test support shared with other packages' tests (`@herald/portal/testing`): a
 * portal in process, on free ports, with an inventory token of its own.
 */
import type { ChannelAdapter, CurrentStateSource } from "@herald/channel-kit";
import { testChannelEnv, writeInventoryTokenFile } from "@herald/channel-kit/testing";
import { type Logger, loadConfig } from "@herald/runtime";
import { portalEnv } from "./config";
import { type PortalService, startPortal } from "./service";

export interface TestPortalOptions {
  brokers: readonly string[];
  mongoUrl: string;
  topicPrefix: string;
  dbName: string;
  logger: Logger;
  /** Where redeliveries fetch the current state. */
  content?: CurrentStateSource;
  /** More environment, e.g. `CHANNEL_GROUP` or `CHANNEL_CONTENT_GRPC`. */
  env?: Record<string, string>;
  /** Wraps the portal's adapter, e.g. to hold an apply. */
  wrapAdapter?: (adapter: ChannelAdapter) => ChannelAdapter;
}

export const TEST_INVENTORY_TOKEN = "test-inventory-token";

/** Starts a portal for a test: free ports, quick retries, silent. */
export function startTestPortal(options: TestPortalOptions): Promise<PortalService> {
  const config = loadConfig(portalEnv, {
    ...testChannelEnv({
      ...options,
      inventoryTokensFile: writeInventoryTokenFile({ reconciler: TEST_INVENTORY_TOKEN }),
    }),
    PORTAL_HTTP_PORT: "0",
    ...options.env,
  });
  return startPortal(config, options.logger, {
    ...(options.content ? { content: options.content } : {}),
    ...(options.wrapAdapter ? { wrapAdapter: options.wrapAdapter } : {}),
  });
}
