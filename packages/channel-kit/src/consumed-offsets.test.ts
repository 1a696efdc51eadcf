import { consumedFromCommitted } from "./consumed-offsets";

describe("consumed offsets", () => {
  it("report each partition's committed offset, sorted by partition", () => {
    expect(
      consumedFromCommitted([
        { partition: 2, offset: "17" },
        { partition: 0, offset: "5" },
        { partition: 1, offset: "0" },
      ]),
    ).toEqual([
      { partition: 0, offset: 5 },
      { partition: 1, offset: 0 },
      { partition: 2, offset: 17 },
    ]);
  });

  it("report 0 for a partition the group never committed (kafkajs says -1), so nothing on it counts as applied", () => {
    expect(
      consumedFromCommitted([
        { partition: 0, offset: "-1" },
        { partition: 1, offset: "" },
      ]),
    ).toEqual([
      { partition: 0, offset: 0 },
      { partition: 1, offset: 0 },
    ]);
  });
});
