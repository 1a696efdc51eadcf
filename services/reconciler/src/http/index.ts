/**
 * The reconciler's HTTP surface: the JSON API under /api/v1 and the operators'
 * dashboard. `statusSummary` is shared with the gRPC service and the CLI.
 */
export { CONTENT_SECURITY_POLICY, createReconcilerApp, type ReconcilerAppOptions } from "./app";
export { SESSION_COOKIE } from "./session";
export { type ChannelSummaryLine, type StatusSummary, statusSummary } from "./status-summary";
