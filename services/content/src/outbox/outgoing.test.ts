import { MAX_ITEM_STATE_BYTES, MAX_MESSAGE_BYTES } from "@herald/contracts";
import { chunkBySize, type Outgoing } from "./outgoing";

const item = (id: string, bytes: number): Outgoing =>
  ({ itemId: id, bytes, revision: 1, markerIds: [], aside: undefined }) as unknown as Outgoing;

const MIB = 1024 * 1024;

describe("chunkBySize", () => {
  it("keeps every send under the largest message, whatever partition each record goes to", () => {
    const items = [item("a", 3 * MIB), item("b", 3 * MIB), item("c", 10_000), item("d", 10_000)];
    const chunks = chunkBySize(items);
    expect(chunks.map((c) => c.map((o) => o.itemId))).toEqual([["a"], ["b", "c", "d"]]);
    for (const chunk of chunks) {
      expect(chunk.reduce((sum, o) => sum + o.bytes, 0)).toBeLessThan(MAX_MESSAGE_BYTES);
    }
  });

  it("sends an item of the largest accepted size on its own", () => {
    const chunks = chunkBySize([item("s", 100), item("max", MAX_ITEM_STATE_BYTES), item("t", 100)]);
    expect(chunks.map((c) => c.map((o) => o.itemId))).toEqual([["s"], ["max"], ["t"]]);
  });

  it("puts many small items into one send", () => {
    const items = Array.from({ length: 500 }, (_, i) => item(`i${i}`, 2_000));
    expect(chunkBySize(items)).toHaveLength(1);
  });
});
