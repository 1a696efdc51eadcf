import type { PresenceInput } from "@herald/channel-kit";
import { kindName } from "@herald/channel-kit";
import {
  type Audience,
  type ItemKind,
  type ItemState,
  ItemStatus,
  type TakedownKind,
} from "@herald/contracts";

/**
 * What the reconciler keeps of an item's current state: the fields a channel
 * policy decides on, what identifies the version, and what operators filter and
 * chart by. Never the body: 100,000 items must fit in a few tens of megabytes.
 */
export interface ExpectedItem extends PresenceInput {
  readonly id: string;
  readonly version: number;
  readonly checksum: string;
  readonly kind: ItemKind;
  readonly status: ItemStatus;
  readonly targeting: { readonly channels: readonly string[]; readonly audience: Audience };
  readonly takedown?: { readonly kind: TakedownKind } | undefined;
  readonly category: string;
  readonly title: string;
  readonly office: string;
  /** When this version was produced (ms since the epoch). */
  readonly updatedAt: number;
  /**
   * When the first version was published (ms); the start of every delivery clock.
   * For an item that states no published date, the first version the reconciler
   * read: a policy's `publishedFrom` never judges by it (see `dates`).
   */
  readonly publishedAt: number;
  readonly deadline?: {
    readonly dueAt: number;
    readonly rule: string;
    readonly provisional: boolean;
  };
  /**
   * Where on herald.items.v1 the message that brought this version is: a channel
   * whose consumed offset on that partition is not past it has not seen it yet.
   */
  readonly position?: StreamPosition;
}

/** A message's place on herald.items.v1. */
export interface StreamPosition {
  readonly partition: number;
  readonly offset: number;
}

const NO_CHANNELS: readonly string[] = Object.freeze([]);

function ms(date: Date | undefined): number | undefined {
  return date ? date.getTime() : undefined;
}

/** The reconciler's copy of one item version. */
export function expectedItemOf(
  state: ItemState,
  receivedAt: number,
  position?: StreamPosition,
): ExpectedItem {
  const updatedAt = ms(state.updatedAt) ?? receivedAt;
  const dueAt = ms(state.deadline?.dueAt);
  return {
    id: state.id,
    version: state.version,
    checksum: state.checksum,
    kind: state.kind,
    status: state.status,
    // A channel whose policy lists categories declines whatever has none.
    category: state.category,
    targeting: {
      channels: state.targeting?.channels.length ? [...state.targeting.channels] : NO_CHANNELS,
      audience: state.targeting?.audience ?? 0,
    },
    takedown: state.takedown ? { kind: state.takedown.kind } : undefined,
    // The date a policy's publishedFrom judges, as the item states it: never the
    // fallback below, which a channel reading the ItemState cannot know.
    ...(state.dates?.publishedAt ? { dates: { publishedAt: state.dates.publishedAt } } : {}),
    title: state.title,
    office: state.issuingOffice,
    updatedAt,
    publishedAt: ms(state.dates?.publishedAt) ?? updatedAt,
    ...(dueAt !== undefined
      ? {
          deadline: {
            dueAt,
            rule: state.deadline?.rule ?? "",
            provisional: state.deadline?.provisional ?? false,
          },
        }
      : {}),
    ...(position ? { position } : {}),
  };
}

export function statusName(status: ItemStatus): string {
  switch (status) {
    case ItemStatus.ITEM_STATUS_PUBLISHED:
      return "published";
    case ItemStatus.ITEM_STATUS_RETRACTED:
      return "retracted";
    case ItemStatus.ITEM_STATUS_EXPIRED:
      return "expired";
    default:
      return "unknown";
  }
}

export { kindName };

/**
 * The current version of every item, from herald.items.v1. A message older than
 * what is held is ignored, as every consumer of the topic does.
 */
export class ExpectedStore {
  private readonly items = new Map<string, ExpectedItem>();
  private orderCache: ExpectedItem[] | undefined;

  /** Returns the stored item when `state` is newer than what was held, else undefined. */
  accept(
    state: ItemState,
    receivedAt: number,
    position?: StreamPosition,
  ): ExpectedItem | undefined {
    const held = this.items.get(state.id);
    // A repeat of the held version (the relay may send the newest state twice) keeps the
    // first message's position: a channel past that one has applied the version.
    if (held && held.version >= state.version) return undefined;
    const item = expectedItemOf(state, receivedAt, position);
    // The first version's publication time stays the start of the delivery clock.
    const stored = held
      ? { ...item, publishedAt: Math.min(held.publishedAt, item.publishedAt) }
      : item;
    this.items.set(state.id, stored);
    this.orderCache = undefined;
    return stored;
  }

  get(id: string): ExpectedItem | undefined {
    return this.items.get(id);
  }

  get size(): number {
    return this.items.size;
  }

  values(): IterableIterator<ExpectedItem> {
    return this.items.values();
  }

  /** Newest first by the current version's time, then by id; cached until the next change. */
  newestFirst(): readonly ExpectedItem[] {
    this.orderCache ??= [...this.items.values()].sort(
      (a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    return this.orderCache;
  }
}
