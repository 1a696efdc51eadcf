import { PartitionOffsets } from "./offsets";

describe("PartitionOffsets", () => {
  it("commits past everything read when nothing is open", () => {
    const p = new PartitionOffsets();
    expect(p.committable()).toBe(0);
    p.read(0);
    p.read(1);
    expect(p.committable()).toBe(2);
  });

  it("commits only up to the lowest offset still waiting for a result", () => {
    const p = new PartitionOffsets();
    for (const o of [0, 1, 2, 3]) p.read(o);
    p.hold(1);
    p.hold(3);
    expect(p.committable()).toBe(1);
    p.settle(1);
    expect(p.committable()).toBe(3);
    p.settle(3);
    expect(p.committable()).toBe(4);
  });

  it("knows offsets it has already read", () => {
    const p = new PartitionOffsets();
    p.read(5);
    expect(p.seen(4)).toBe(true);
    expect(p.seen(6)).toBe(false);
  });
});
