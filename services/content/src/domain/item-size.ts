import { ItemState, MAX_ITEM_STATE_BYTES } from "@herald/contracts";
import { TooLargeError } from "./errors";
import type { ItemFields, ItemVersion } from "./item";
import { versionToItemState } from "./item-state";

/**
 * Room a draft leaves under the limit for what later versions add to the same
 * fields: a takedown's reason and public explanation (2,000 characters each, up to
 * 3 bytes apiece in UTF-8), its dates, the deadline and the trace context. So an
 * accepted item can always be taken down.
 */
export const TAKEDOWN_RESERVE_BYTES = 16 * 1024;

/** The largest encoded ItemState a draft may make, leaving room for its takedown. */
export const MAX_DRAFT_STATE_BYTES = MAX_ITEM_STATE_BYTES - TAKEDOWN_RESERVE_BYTES;

export const SIZE_RULE = "size.max-message";

/** The exact bytes the relay would send as the message's value. */
export function encodedSize(state: ItemState): number {
  return ItemState.encode(state).finish().length;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

/**
 * Refuses a version whose message would not fit on herald.items.v1 (the relay
 * could never send it), naming what makes it too large: the takedown's texts, the
 * body, or else the item as a whole.
 */
export function checkVersionSize(itemId: string, version: ItemVersion, limit: number): void {
  const size = encodedSize(versionToItemState(itemId, version));
  if (size <= limit) return;
  const sizeOf = (v: ItemVersion) => encodedSize(versionToItemState(itemId, v));
  const { takedown, ...untaken } = version;
  const field =
    takedown && sizeOf(untaken) <= limit
      ? "reason"
      : sizeOf({ ...version, fields: { ...version.fields, body: "" } }) <= limit
        ? "body"
        : "";
  const what = field === "reason" ? "the takedown's texts make the item" : "the item is";
  throw new TooLargeError(
    {
      field,
      rule: SIZE_RULE,
      message: `${what} ${size} bytes (${mib(size)}) as a message, over the limit of ${limit} bytes (${mib(limit)}): no channel could receive it; ${field === "body" ? "shorten the body or move its content into attachments" : "shorten it"}`,
    },
    size,
    limit,
  );
}

/**
 * Refuses a draft that could never be published: its first version's message,
 * with room left for a takedown, would not fit.
 */
export function checkDraftSize(
  itemId: string,
  fields: ItemFields,
  versionNumber: number,
  now: Date,
): void {
  checkVersionSize(
    itemId,
    {
      version: versionNumber,
      status: "published",
      fields,
      publishedAt: now,
      at: now,
      by: "",
      disclosed: true,
    },
    MAX_DRAFT_STATE_BYTES,
  );
}
