import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import {
  type ChannelAdapter,
  type ChannelRuntime,
  type ConsumingStatus,
  type CurrentStateSource,
  startChannel,
} from "@herald/channel-kit";
import type { ConfigOf, Logger } from "@herald/runtime";
import { parseTrustProxy } from "@herald/web";
import type { portalEnv } from "./config";
import { createPortalChannel } from "./portal-channel";
import { type PortalIndex, createPortalIndex, createSiteApp } from "./site";

export type PortalConfig = ConfigOf<typeof portalEnv>;

export interface PortalService {
  httpPort: number;
  inventoryPort: number;
  index: PortalIndex;
  channel: ChannelRuntime;
  /**
   * For /readyz: ready for readers once the site is loaded into memory and the HTTP
   * server listens. How the portal consumes (lagging, stalled, failing) is the
   * `consuming` field beside it, never a reason to turn readers away.
   */
  ready(): { ok: boolean; detail: string; consuming: ConsumingStatus };
  stop(): Promise<void>;
}

/** The portal: the channel runtime applying items into the index, and the website serving it. */
export async function startPortal(
  config: PortalConfig,
  logger: Logger,
  options: {
    content?: CurrentStateSource;
    /** Wraps the portal's adapter: how tests and fault drills slow or hang its applies. */
    wrapAdapter?: (adapter: ChannelAdapter) => ChannelAdapter;
  } = {},
): Promise<PortalService> {
  // A bad setting fails the start before anything runs.
  const trustProxy = parseTrustProxy(config.PORTAL_TRUST_PROXY, "PORTAL_TRUST_PROXY");
  const index = createPortalIndex();
  // Pages are served as soon as the holdings are loaded; search follows in the
  // background (see PortalIndex.deferSearch), so a restart is ready in seconds, not minutes.
  index.deferSearch();
  const adapter: ChannelAdapter = {
    ...createPortalChannel(index, config.PORTAL_BASE_URL),
    restored: () => {
      const began = performance.now();
      logger.info({ items: index.searchPending() }, "building the search index");
      void index
        .buildSearch()
        .then(() =>
          logger.info(
            { items: index.size(), ms: Math.round(performance.now() - began) },
            "search index built",
          ),
        );
    },
  };
  const channel = await startChannel({
    adapter: options.wrapAdapter ? options.wrapAdapter(adapter) : adapter,
    config,
    logger,
    ...(options.content ? { content: options.content } : {}),
  });
  const app = createSiteApp({
    index,
    site: { name: config.PORTAL_SITE_NAME, baseUrl: config.PORTAL_BASE_URL },
    trustProxy,
    // Pages come from memory: only a site not loaded yet turns readers away.
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
      const consuming = `consuming ${state.consuming.state}: ${state.consuming.detail}`;
      if (!state.ok) return { ok: false, detail: state.detail, consuming: state.consuming };
      if (!server.listening) {
        return {
          ok: false,
          detail: `website not listening; ${consuming}`,
          consuming: state.consuming,
        };
      }
      return {
        ok: true,
        detail:
          `site loaded (${index.size()} items` +
          (index.searchPending() > 0 ? `, ${index.searchPending()} not yet searchable` : "") +
          `); ${consuming}`,
        consuming: state.consuming,
      };
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
