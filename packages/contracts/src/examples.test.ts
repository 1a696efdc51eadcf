import {
  ChannelAnnouncement,
  DeliveryReceipt,
  ItemState,
  RedeliveryRequest,
  Schemas,
  Topics,
  deadLetterTopic,
} from "./index";
import { exampleSchemaNames, loadExamples, type JsonCodec } from "./testing";
import type { MessageSchema } from "./topics";

function roundTrips<T>(schema: MessageSchema<T>, json: JsonCodec<T>): void {
  const examples = loadExamples(schema, json);
  expect(examples.length).toBeGreaterThan(0);
  for (const { message } of examples) {
    const bytes = schema.codec.encode(message).finish();
    expect(schema.codec.decode(bytes)).toEqual(message);
    // The JSON form is stable too, so examples can be regenerated from messages.
    expect(json.fromJSON(json.toJSON(message))).toEqual(message);
  }
}

describe("example payloads", () => {
  it("cover exactly the schemas that travel on topics", () => {
    expect(exampleSchemaNames()).toEqual(
      [
        Schemas.itemState.name,
        Schemas.deliveryReceipt.name,
        Schemas.redeliveryRequest.name,
        Schemas.channelAnnouncement.name,
      ].sort(),
    );
  });

  it("round-trip through the binary and JSON encodings", () => {
    roundTrips(Schemas.itemState, ItemState);
    roundTrips(Schemas.deliveryReceipt, DeliveryReceipt);
    roundTrips(Schemas.redeliveryRequest, RedeliveryRequest);
    roundTrips(Schemas.channelAnnouncement, ChannelAnnouncement);
  });

  it("keep every ItemState field the design names", () => {
    const [penalty] = loadExamples(Schemas.itemState, ItemState).filter(
      (e) => e.name === "administrative-penalty-withdrawn",
    );
    expect(penalty?.message.takedown?.publicExplanation).toContain("撤销");
    expect(penalty?.message.version).toBe(3);
    expect(penalty?.message.dates?.formedAt).toEqual(new Date("2016-06-01T00:00:00Z"));
  });
});

describe("topics", () => {
  it("use the versioned names of DESIGN §4", () => {
    expect(Topics.items.name).toBe("herald.items.v1");
    expect(Topics.items.cleanupPolicy).toBe("compact");
    expect(Topics.receipts.name).toBe("herald.receipts.v1");
    expect(Topics.redeliver.name).toBe("herald.redeliver.v1");
    expect(deadLetterTopic("portal").name).toBe("herald.dlq.portal.v1");
  });

  it("refuse a dead-letter topic for a channel name that cannot name a topic", () => {
    expect(() => deadLetterTopic("Portal Site")).toThrow(/channel name "Portal Site" must match/);
  });
});
