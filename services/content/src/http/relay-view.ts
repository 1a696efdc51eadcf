import { WorkflowError } from "../domain/errors";
import { type Actor, type ItemRecord, latestDisclosed } from "../domain/item";
import { authorize } from "../domain/permissions";
import type { OutboxRelay } from "../outbox/relay";
import type { ItemStore } from "../store/item-store";
import { PublicSummaries } from "../store/public-summaries";
import type { SetAsideStore } from "../store/set-aside";

export type RelayView =
  | { state: "announced" }
  | { state: "queued"; since: Date }
  | {
      state: "set-aside";
      since: Date;
      reason: string;
      version: number;
      attempts: number;
      retryAt: Date;
    };

/**
 * Where the outbox relay stands with an item's newest public state (null when it
 * has none): two keyed or short reads, the set-aside record and the outbox.
 */
export function createRelayView(store: ItemStore, setAside: SetAsideStore) {
  const summaries = new PublicSummaries(store);
  return async (id: string, hasPublic: boolean): Promise<RelayView | null> => {
    if (!hasPublic) return null;
    const aside = await setAside.find(id);
    if (aside) {
      return {
        state: "set-aside",
        since: aside.setAsideAt,
        reason: aside.reason,
        version: aside.version,
        attempts: aside.attempts,
        retryAt: aside.retryAt,
      };
    }
    const queuedSince = await summaries.queuedSince(id);
    return queuedSince ? { state: "queued", since: queuedSince } : { state: "announced" };
  };
}

/**
 * Has the relay send the item's newest public state again: a set-aside item is
 * made due now, any other is marked in the outbox once more.
 */
export async function announce(
  actor: Actor,
  record: ItemRecord,
  deps: { store: ItemStore; setAside: SetAsideStore; relay: OutboxRelay; now: () => Date },
): Promise<{ id: string; version: number; relay: RelayView | null }> {
  authorize(actor, "announce");
  const version = latestDisclosed(record);
  if (!version) {
    throw new WorkflowError(
      `item ${record.id} has no public version to announce`,
      "workflow.announce",
    );
  }
  if (!(await deps.setAside.retryNow(record.id, deps.now()))) await deps.store.requeue(record);
  deps.relay.notify();
  const view = createRelayView(deps.store, deps.setAside);
  return { id: record.id, version: version.version, relay: await view(record.id, true) };
}
