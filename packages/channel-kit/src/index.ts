/**
 * The runtime every Herald channel is built on. A channel implements
 * {@link ChannelAdapter} (a policy, `apply`, `remove`) and calls
 * {@link startChannel}; the runtime consumes the item stream in order, applies
 * only newer versions, keeps the holdings, sends receipts, retries, dead-letters,
 * carries out redeliveries and serves the ChannelInventory.
 */
export {
  AwaitingOperatorError,
  PermanentChannelError,
  RetryLaterError,
  type ApplyContext,
  type ApplyResult,
  type ChannelAdapter,
} from "./adapter";
export {
  expectedPresence,
  kindName,
  type ChannelPolicy,
  type Decline,
  type Presence,
  type PresenceInput,
} from "./policy";
export {
  judgeFreshness,
  type FreshnessCode,
  type FreshnessInput,
  type FreshnessJudgement,
  type FreshnessLevel,
  type FreshnessRule,
} from "./freshness";
export type { Holding, HoldingFailure, HoldingStatus } from "./holdings";
export { announcementOf, policyFromAnnouncement } from "./announcement";
export { channelEnv, type ChannelConfig } from "./config";
export { startChannel, type ChannelRuntime, type StartChannelOptions } from "./channel-runtime";
export type { ChannelReadiness, ConsumingState, ConsumingStatus } from "./consuming";
export {
  createContentClient,
  type CurrentStateSource,
  type ContentClientOptions,
} from "./content-client";
export { InventoryTokens, listHoldings } from "./inventory";
export type { InventorySnapshotOptions } from "./inventory-snapshots";
export { ChannelMetrics, COUNTERS, type CounterName } from "./metrics";
export { backoffDelay, type BackoffOptions } from "./backoff";
