/** The public disclosure portal, a Herald channel. */
export { portalEnv } from "./config";
export { startPortal, type PortalConfig, type PortalService } from "./service";
export { createPortalChannel, MAX_BODY_BYTES, PORTAL_POLICY } from "./portal-channel";
