import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type ChannelRuntime, type CurrentStateSource, startChannel } from "@herald/channel-kit";
import type { ConfigOf, Logger } from "@herald/runtime";
import type { portalEnv } from "./config";
import { createPortalChannel } from "./portal-channel";
import { type PortalIndex, createPortalIndex, createSiteApp } from "./site";

export type PortalConfig = ConfigOf<typeof portalEnv>;

export interface PortalService {
  httpPort: number;
  inventoryPort: number;
  index: PortalIndex;
  channel: ChannelRuntime;
  ready(): { ok: boolean; detail: string };
  stop(): Promise<void>;
}

/** The portal: the channel runtime applying items into the index, and the website serving it. */
export async function startPortal(
  config: PortalConfig,
  logger: Logger,
  options: { content?: CurrentStateSource } = {},
): Promise<PortalService> {
  const index = createPortalIndex();
  const channel = await startChannel({
    adapter: createPortalChannel(index, config.PORTAL_BASE_URL),
    config,
    logger,
    ...(options.content ? { content: options.content } : {}),
  });
  const app = createSiteApp({
    index,
    site: { name: config.PORTAL_SITE_NAME, baseUrl: config.PORTAL_BASE_URL },
    isReady: () => channel.ready().ok,
  });
  let server: Server;
  try {
    server = createServer(app);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.PORTAL_HTTP_PORT, config.PORTAL_HTTP_HOST, () => resolve());
    });
  } catch (error) {
    await channel.stop();
    throw error;
  }
  const httpPort = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;
  logger.info({ httpPort, inventoryPort: channel.inventoryPort }, "portal listening");
  return {
    httpPort,
    inventoryPort: channel.inventoryPort,
    index,
    channel,
    ready: () => {
      const state = channel.ready();
      return { ok: state.ok, detail: state.detail ?? "" };
    },
    stop() {
      stopping ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await channel.stop();
      })();
      return stopping;
    },
  };
}
