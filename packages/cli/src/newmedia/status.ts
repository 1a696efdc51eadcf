import { CommandError } from "../content/errors";
import { type NewmediaTarget, listAccounts, newmediaTarget } from "./client";
import { formatNewmediaStatus } from "./views";

/**
 * The newmedia accounts' lines of `herald status`: each account's freshness and
 * open tasks. Nothing without an operator token; one short line, not a failure,
 * when the channel does not answer: the item's status comes from the reconciler
 * and stands without it.
 */
export async function newmediaStatusLines(
  environment: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  let target: NewmediaTarget;
  try {
    target = newmediaTarget(environment);
  } catch (error) {
    if (error instanceof CommandError) return [];
    throw error;
  }
  try {
    return formatNewmediaStatus(await listAccounts(target));
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    return ["", `newmedia accounts: not shown; ${error.message}`];
  }
}
