/**
 * The public disclosure website: an in-memory index of the items the portal
 * holds, and the express application that serves pages, search and feeds from it.
 */
export { createSiteApp, CONTENT_SECURITY_POLICY, type SiteAppOptions } from "./app";
export {
  createPortalIndex,
  PortalIndex,
  type ItemPage,
  type ListingKey,
  type SearchOptions,
  type SearchPage,
} from "./portal-index";
export { isListed, presenceOf, type PortalItem, type Presence } from "./model";
export type { SiteConfig } from "./render/layout-view";
export { KINDS, type KindInfo } from "./kinds";
