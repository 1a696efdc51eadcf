/**
 * The TypeScript SDK for Herald outlets: {@link connectOutlet} speaks
 * herald.outlet.v1.OutletGateway for you.
 */
export {
  connectOutlet,
  type Applied,
  type ConnectOutletOptions,
  type DeliveryContext,
  type HoldingsPage,
  type OutletHandle,
  type OutletLogger,
  type OutletState,
} from "./outlet";
export { OutletDecline, OutletFailure } from "./errors";
export type { Holding, ItemState, OutletPolicy } from "@herald/contracts";
export { Audience, ItemKind, ItemStatus } from "@herald/contracts";
