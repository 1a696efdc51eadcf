/**
 * An outlet on the SDK as an integrator would run it, in a process of its own so
 * a test can kill it with SIGKILL: its holdings live in an append-only log file
 * (one JSON line per event), read back when it starts. Every delivery it gets is
 * logged before it is answered, so the test can tell from the file alone what was
 * applied, what arrived again and when.
 *
 * Environment: OUTLET_GATEWAY, OUTLET_NAME, OUTLET_CREDENTIAL, OUTLET_LOG (the
 * file), OUTLET_CREDIT (default 10), OUTLET_APPLY_DELAY_MS (default 0: the wait
 * before an apply), OUTLET_ANSWER_DELAY_MS (default 0: the wait between logging an
 * apply and answering it, where a kill leaves a delivery applied but unanswered),
 * OUTLET_INSTANCE (default outlet-<pid>).
 */
import { appendFileSync } from "node:fs";
import { type Holding, ItemStatus, connectOutlet } from "@herald/outlet-sdk";
import { type OutletLogLine, holdingsOf, readOutletLog } from "./file-outlet-log";

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const logPath = required("OUTLET_LOG");
const delayMs = Number(process.env.OUTLET_APPLY_DELAY_MS ?? 0);
const answerDelayMs = Number(process.env.OUTLET_ANSWER_DELAY_MS ?? 0);
const held = holdingsOf(readOutletLog(logPath));
const append = (line: Omit<OutletLogLine, "pid" | "t">) =>
  // Synchronous: once it returns, the line is in the kernel and survives a SIGKILL.
  appendFileSync(logPath, `${JSON.stringify({ ...line, pid: process.pid, t: Date.now() })}\n`);
const handle = connectOutlet({
  gateway: required("OUTLET_GATEWAY"),
  outlet: required("OUTLET_NAME"),
  credential: required("OUTLET_CREDENTIAL"),
  instanceId: process.env.OUTLET_INSTANCE ?? `outlet-${process.pid}`,
  policy: {},
  credit: Number(process.env.OUTLET_CREDIT ?? 10),
  reconnect: { initialMs: 100, maxMs: 1000 },
  async apply(state, context) {
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    const line = {
      id: state.id,
      version: state.version,
      checksum: state.checksum,
      deliveryId: context.deliveryId,
      attempt: context.attempt,
      reason: context.redeliveryReason,
    };
    const current = held.get(state.id);
    // Idempotent by version, as the contract asks: a version already held is done.
    if (current && current.version >= state.version) {
      append({ e: "again", ...line });
    } else {
      append({ e: "apply", ...line });
      held.set(state.id, { e: "apply", ...line, pid: process.pid, t: Date.now() });
    }
    if (answerDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, answerDelayMs));
    return { externalRef: `file:${state.id}` };
  },
  remove(state, context) {
    append({
      e: "remove",
      id: state.id,
      version: state.version,
      checksum: state.checksum,
      deliveryId: context.deliveryId,
      attempt: context.attempt,
      reason: context.redeliveryReason,
    });
    held.delete(state.id);
    return Promise.resolve();
  },
  holdings({ pageToken, pageSize }) {
    const ids = [...held.keys()].filter((id) => id > pageToken).sort();
    const page = ids.slice(0, pageSize);
    const holdings: Holding[] = page.map((id) => {
      const line = held.get(id)!;
      return {
        itemId: id,
        version: line.version,
        checksum: line.checksum,
        externalRef: `file:${id}`,
        status: ItemStatus.ITEM_STATUS_PUBLISHED,
        appliedAt: new Date(line.t),
      };
    });
    return Promise.resolve({
      holdings,
      nextPageToken: ids.length > pageSize ? page.at(-1)! : "",
    });
  },
});
const stop = () => void handle.close().then(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
