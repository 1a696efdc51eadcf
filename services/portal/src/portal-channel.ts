import {
  type ChannelAdapter,
  type ChannelPolicy,
  PermanentChannelError,
} from "@herald/channel-kit";
import { Audience, type ItemState, ItemStatus } from "@herald/contracts";
import type { PortalIndex } from "./site";

/** What the portal takes and keeps; the reconciler evaluates the same policy. */
export const PORTAL_POLICY: ChannelPolicy = {
  name: "portal",
  audiences: [Audience.AUDIENCE_PUBLIC],
  keepsWithdrawn: true,
  keepsExpired: true,
};

/** Bodies larger than this are refused: no reader scrolls through them, and they would bloat every instance's memory. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

/**
 * The portal as a channel: it keeps its content in the runtime's holdings (one
 * write per apply) and serves from an in-memory index rebuilt from them. A
 * withdrawn item stays as a notice and an expired one stays marked; a removed or
 * replaced one stays as a tombstone so its page can answer 410 or redirect.
 */
export function createPortalChannel(index: PortalIndex, baseUrl: string): ChannelAdapter {
  const pageUrl = (id: string) =>
    new URL(`items/${encodeURIComponent(id)}`, `${baseUrl.replace(/\/?$/, "/")}`).href;
  return {
    policy: PORTAL_POLICY,
    keepsContent: true,
    apply(state: ItemState) {
      check(state);
      index.put(state);
      return Promise.resolve({ externalRef: pageUrl(state.id) });
    },
    remove(state: ItemState) {
      // A takedown keeps a tombstone (410 or a redirect); an item no longer aimed at
      // the portal is forgotten.
      if (state.status === ItemStatus.ITEM_STATUS_RETRACTED) index.put(state);
      else index.remove(state.id);
      return Promise.resolve();
    },
    restore(holding, state) {
      if (holding.status === "declined" || !state) index.remove(holding.itemId);
      else index.put(state);
    },
  };
}

function check(state: ItemState): void {
  if (!state.title.trim()) {
    throw new PermanentChannelError(
      "portal.title_missing",
      `item ${state.id} has no title to show`,
    );
  }
  const bytes = Buffer.byteLength(state.bodyHtml, "utf8");
  if (bytes > MAX_BODY_BYTES) {
    throw new PermanentChannelError(
      "portal.body_too_large",
      `item ${state.id} has a body of ${bytes} bytes; the portal shows at most ${MAX_BODY_BYTES}`,
    );
  }
}
