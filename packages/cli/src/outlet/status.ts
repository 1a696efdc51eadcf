import { CommandError } from "../content/errors";
import { type OutletGatewayTarget, listOutlets, outletGatewayTarget } from "./client";
import { formatOutletStatus } from "./views";

/**
 * The outlets' lines of `herald status`: their connection state and lag from the
 * gateway's admin API. Nothing when no gateway is configured (no
 * HERALD_OUTLET_GATEWAY_URL and no outlet admin token in the local credentials);
 * a note, not a failure, when the gateway does not answer: the item's status
 * comes from the reconciler and stands without it.
 */
export async function outletStatusLines(
  environment: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  let target: OutletGatewayTarget;
  try {
    target = outletGatewayTarget(environment);
  } catch (error) {
    if (error instanceof CommandError) return [];
    throw error;
  }
  try {
    return formatOutletStatus(await listOutlets(target));
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    return ["", `outlets: not shown; ${error.message}`];
  }
}
