/**
 * The outlet gateway: opens Herald to outlets outside it over
 * herald.outlet.v1.OutletGateway (ADR 007).
 */
export { outletGatewayEnv } from "./config";
export { startOutletGateway, type OutletGatewayConfig, type OutletGatewayService } from "./service";
export { OUTLET_NAME, type OutletRegistration } from "./registry";
export { channelOf, type OutletPolicyData } from "./policy";
