import { ItemState, Schemas } from "@herald/contracts";
import { decodePayload, encodePayload, headersToStrings, schemaHeaders } from "./codec";

const item = ItemState.fromPartial({ id: "hg-2016-0030", version: 4, title: "工作要点" });

describe("payload codec", () => {
  it("decodes what it encoded when the headers announce the schema", () => {
    const headers = schemaHeaders(Schemas.itemState);
    expect(headers).toEqual({
      "content-type": "application/x-protobuf",
      "herald-schema": "herald.content.v1.ItemState",
    });
    const result = decodePayload(
      Schemas.itemState,
      encodePayload(Schemas.itemState, item),
      headers,
    );
    expect(result).toEqual({ ok: true, value: item });
  });

  it("says why it refuses a message", () => {
    const value = encodePayload(Schemas.itemState, item);
    const headers = schemaHeaders(Schemas.itemState);
    expect(decodePayload(Schemas.itemState, null, headers)).toEqual({
      ok: false,
      reason: "message has no value (tombstone)",
    });
    expect(
      decodePayload(Schemas.itemState, value, {
        ...headers,
        "herald-schema": "herald.delivery.v1.DeliveryReceipt",
      }),
    ).toEqual({
      ok: false,
      reason:
        'header herald-schema is "herald.delivery.v1.DeliveryReceipt", expected "herald.content.v1.ItemState"',
    });
    expect(decodePayload(Schemas.itemState, value, {})).toEqual({
      ok: false,
      reason: 'header content-type is null, expected "application/x-protobuf"',
    });
    const truncated = decodePayload(Schemas.itemState, value.subarray(0, 5), headers);
    expect(truncated.ok).toBe(false);
    expect(!truncated.ok && truncated.reason).toMatch(
      /^payload is not a valid herald\.content\.v1\.ItemState: /,
    );
  });

  it("reads kafkajs header buffers as strings", () => {
    expect(
      headersToStrings({ a: Buffer.from("x"), b: "y", c: [Buffer.from("z")], d: undefined }),
    ).toEqual({
      a: "x",
      b: "y",
      c: "z",
    });
  });
});
