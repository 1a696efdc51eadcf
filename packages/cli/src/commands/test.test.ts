import { type GateOutcome, summaryLines } from "./test";

const gates = (testsOk: boolean): GateOutcome[] => [
  { name: "format", ok: true, ms: 1_000 },
  { name: "tests", ok: testsOk, ms: 60_000 },
];
const results = { numPassedTests: 12, numFailedTests: 0, numPendingTests: 0, success: true };

describe("herald test's summary", () => {
  it("lists every gate and the tests' count", () => {
    const lines = summaryLines(gates(true), results);
    expect(lines).toContain("✓ format         1.0 s");
    expect(lines).toContain("tests: 12 passed, 0 failed");
    expect(lines.join("\n")).not.toMatch(/Cannot log/);
  });

  it("explains a failed run in which every test passed, and where to look", () => {
    const lines = summaryLines(gates(false), results);
    expect(lines).toContain("✗ tests          1 min 0 s");
    expect(lines.at(-1)).toMatch(/every test passed, but jest failed the run/);
    expect(lines.at(-1)).toMatch(/Cannot log after tests are done/);
  });

  it("says nothing more when tests failed", () => {
    const lines = summaryLines(gates(false), {
      ...results,
      numFailedTests: 2,
      success: false,
    });
    expect(lines.at(-1)).toBe("tests: 12 passed, 2 failed");
  });

  it("counts skipped tests", () => {
    expect(summaryLines(gates(true), { ...results, numPendingTests: 3 })).toContain(
      "tests: 12 passed, 0 failed, 3 skipped",
    );
  });
});
