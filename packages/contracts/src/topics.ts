import { DeadLetter, DeliveryReceipt, RedeliveryRequest } from "./gen/herald/delivery/v1/delivery";
import { ItemState } from "./gen/herald/content/v1/item_state";
import { ChannelAnnouncement } from "./gen/herald/channel/v1/announcement";

/** The encode/decode pair ts-proto generates for every message. */
export interface MessageCodec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
}

/** A protobuf message type bound to its fully qualified name. */
export interface MessageSchema<T> {
  /** Fully qualified protobuf name, carried in the `herald-schema` header. */
  readonly name: string;
  readonly codec: MessageCodec<T>;
}

function schema<T>(name: string, codec: MessageCodec<T>): MessageSchema<T> {
  return { name, codec };
}

/**
 * Every message type that travels on a Kafka topic.
 *
 * WARNING: the names are written into message headers and checked on consume;
 * they must match the proto package and message names and never change.
 */
export const Schemas = {
  itemState: schema("herald.content.v1.ItemState", ItemState),
  deliveryReceipt: schema("herald.delivery.v1.DeliveryReceipt", DeliveryReceipt),
  redeliveryRequest: schema("herald.delivery.v1.RedeliveryRequest", RedeliveryRequest),
  deadLetter: schema("herald.delivery.v1.DeadLetter", DeadLetter),
  channelAnnouncement: schema("herald.channel.v1.ChannelAnnouncement", ChannelAnnouncement),
} as const;

export type CleanupPolicy = "compact" | "delete";

/** A topic as Herald declares it: its name, payload and retention. */
export interface TopicSpec<T> {
  /** Versioned topic name without any deployment prefix. */
  readonly name: string;
  readonly schema: MessageSchema<T>;
  readonly cleanupPolicy: CleanupPolicy;
  /** For `delete` topics: how long records are kept. */
  readonly retentionMs?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The topics of DESIGN §4, declared once.
 *
 * WARNING: topic names are part of the wire contract between services; a change of
 * payload that is not backward compatible gets a new `.vN` name, never an edit here.
 */
export const Topics = {
  /** The current state of every item, key = item id. Compacted: replaying it from the start yields every item's current state. */
  items: {
    name: "herald.items.v1",
    schema: Schemas.itemState,
    cleanupPolicy: "compact",
  } satisfies TopicSpec<ItemState>,
  /** One receipt per delivery outcome, key = item id. */
  receipts: {
    name: "herald.receipts.v1",
    schema: Schemas.deliveryReceipt,
    cleanupPolicy: "delete",
    retentionMs: 7 * DAY_MS,
  } satisfies TopicSpec<DeliveryReceipt>,
  /** Requests to apply an item again, key = "<channel>/<item id>". */
  redeliver: {
    name: "herald.redeliver.v1",
    schema: Schemas.redeliveryRequest,
    cleanupPolicy: "delete",
    retentionMs: 7 * DAY_MS,
  } satisfies TopicSpec<RedeliveryRequest>,
  /**
   * The latest announcement of every channel, key = channel name. Compacted: the
   * reconciler learns every channel that ever ran, its policy and its inventory.
   */
  channels: {
    name: "herald.channels.v1",
    schema: Schemas.channelAnnouncement,
    cleanupPolicy: "compact",
  } satisfies TopicSpec<ChannelAnnouncement>,
} as const;

/**
 * The largest record Herald writes to a topic, in bytes: every topic is created with
 * it as `max.message.bytes`, the local broker allows it (`message.max.bytes`,
 * `replica.fetch.max.bytes`), and producers split their batches under it.
 *
 * WARNING: a cluster Herald runs on must allow at least this much; lowering it
 * makes items already accepted unsendable.
 */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** What a record needs besides its value: key, headers (schema, trace) and the batch's framing. */
export const MESSAGE_OVERHEAD_BYTES = 16 * 1024;

/** The largest encoded ItemState the content service accepts, so that every accepted item is sendable. */
export const MAX_ITEM_STATE_BYTES = MAX_MESSAGE_BYTES - MESSAGE_OVERHEAD_BYTES;

const CHANNEL_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** Whether `name` can name a channel (and so a consumer group and a DLQ topic). */
export function isValidChannelName(name: string): boolean {
  return CHANNEL_NAME.test(name);
}

function checkChannelName(channel: string): void {
  if (!isValidChannelName(channel)) {
    throw new RangeError(
      `channel name ${JSON.stringify(channel)} must match ${CHANNEL_NAME.source} (lower-case letters, digits and dashes)`,
    );
  }
}

/** The dead-letter topic of one channel, key = item id. */
export function deadLetterTopic(channel: string): TopicSpec<DeadLetter> {
  checkChannelName(channel);
  return {
    name: `herald.dlq.${channel}.v1`,
    schema: Schemas.deadLetter,
    cleanupPolicy: "delete",
    retentionMs: 30 * DAY_MS,
  };
}

/**
 * One channel's own redelivery queue, key = item id. The channel forwards the
 * requests for it from herald.redeliver.v1 here, so that a request lands on the
 * partition (and so the instance) that also consumes the item's versions: one
 * writer per item. It must have as many partitions as herald.items.v1.
 */
export function channelRedeliveryTopic(channel: string): TopicSpec<RedeliveryRequest> {
  checkChannelName(channel);
  return {
    name: `herald.redeliver.${channel}.v1`,
    schema: Schemas.redeliveryRequest,
    cleanupPolicy: "delete",
    retentionMs: 7 * DAY_MS,
  };
}

/**
 * Kafka header names Herald writes on every message.
 *
 * WARNING: wire-level constants read by every consumer, including integrators'; never change them.
 */
export const MessageHeaders = {
  contentType: "content-type",
  schema: "herald-schema",
  traceparent: "traceparent",
  tracestate: "tracestate",
} as const;

/** WARNING: wire-level constant; the content type of every Herald Kafka payload. */
export const PROTOBUF_CONTENT_TYPE = "application/x-protobuf";
