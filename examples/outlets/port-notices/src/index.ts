/** The port-notices example outlet, to start in a process of one's own (`run`) or in a test. */
export { startPortNotices, type PortNotices, type PortNoticesOptions } from "./outlet";
export { escapeHtml, renderListing } from "./listing";
export { NoticeStore, type Notice } from "./store";
