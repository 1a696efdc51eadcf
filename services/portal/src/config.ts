import { channelEnv } from "@herald/channel-kit";
import { env } from "@herald/runtime";

/** Everything the portal reads from its environment, one line per variable. */
export const portalEnv = {
  ...channelEnv,
  /** The public website. */
  PORTAL_HTTP_PORT: env.port().default(4100).describe("website port"),
  PORTAL_HTTP_HOST: env.string().default("127.0.0.1").describe("website bind address"),
  /** The address the public reaches the site at: links in feeds, sitemaps and meta tags use it. */
  PORTAL_BASE_URL: env
    .url(["http", "https"])
    .default("http://127.0.0.1:4100")
    .describe("public URL"),
  /** The site's name in page titles and the SiteName meta tag. */
  PORTAL_SITE_NAME: env.string().default("海关政府信息公开").describe("site name"),
  /**
   * Reverse proxies believed about the client's address and TLS (Secure
   * cookies): off (default), a number of hops, or addresses, subnets and
   * loopback/linklocal/uniquelocal, comma-separated.
   */
  PORTAL_TRUST_PROXY: env.string().default("").describe("off, hops, or proxy addresses"),
  /** The portal's ChannelInventory for the reconciler. */
  CHANNEL_INVENTORY_PORT: env.port().default(50100).describe("ChannelInventory gRPC port"),
};
