import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { repoRoot, stackSettings } from "../stack/settings";
import { formatDuration } from "../ui/progress";
import type { Output } from "./output";

interface Gate {
  name: string;
  /** Arguments to pnpm; every gate is a root package.json script or a workspace binary. */
  pnpm: (resultsFile: string, jestArgs: string[]) => string[];
}

/** The gates in the order they run. */
const GATES: Gate[] = [
  { name: "format", pnpm: () => ["run", "--silent", "format:check"] },
  { name: "lint", pnpm: () => ["run", "--silent", "lint"] },
  { name: "typecheck", pnpm: () => ["run", "--silent", "typecheck"] },
  { name: "codegen drift", pnpm: () => ["run", "--silent", "codegen:check"] },
  // `pnpm exec`, not `pnpm run test`, so the arguments reach jest as options.
  {
    name: "tests",
    pnpm: (resultsFile, jestArgs) => [
      "exec",
      "jest",
      "--json",
      `--outputFile=${resultsFile}`,
      ...jestArgs,
    ],
  },
];

function runPnpm(root: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn("pnpm", args, { cwd: root, stdio: "inherit" });
    child.once("error", () => resolve(127));
    child.once("close", (code) => resolve(code ?? 1));
  });
}

/**
 * Jest passes every test yet exits 1 when something a test file left running logs
 * through `console` or loads a module after that file ended. It prints the reason
 * once, far above the summary.
 */
const AFTER_THE_TESTS =
  "tests: every test passed, but jest failed the run: code a test file left running " +
  'logged or loaded a module after that file ended. Search the output above for "Cannot log ' +
  'after tests are done" or "torn down" to find the file, and stop what it started in ' +
  "ns.beforeCleanup.";

export interface JestSummary {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  /** Jest's verdict on the tests alone, before anything the process did after them. */
  success: boolean;
}

export interface GateOutcome {
  name: string;
  ok: boolean;
  ms: number;
}

/** The summary after every gate ran; `jest` is its results file, when it wrote one. */
export function summaryLines(outcomes: GateOutcome[], jest: JestSummary | undefined): string[] {
  const lines = ["\n── summary ──"];
  for (const o of outcomes)
    lines.push(`${o.ok ? "✓" : "✗"} ${o.name.padEnd(14)} ${formatDuration(o.ms)}`);
  if (jest) {
    const skipped = jest.numPendingTests > 0 ? `, ${jest.numPendingTests} skipped` : "";
    lines.push(`tests: ${jest.numPassedTests} passed, ${jest.numFailedTests} failed${skipped}`);
    const tests = outcomes.find((o) => o.name === "tests");
    if (tests && !tests.ok && jest.success) lines.push(AFTER_THE_TESTS);
  }
  return lines;
}

export function registerTestCommand(program: Command, out: Output): void {
  program
    .command("test")
    .description(
      "every gate: format check, lint, typecheck, codegen drift, then all tests against the real stack",
    )
    .argument("[jest-args...]", "passed to jest, e.g. a path pattern")
    .action(async (jestArgs: string[]) => {
      const root = repoRoot();
      const resultsDir = join(stackSettings().home, "test-results");
      mkdirSync(resultsDir, { recursive: true });
      const resultsFile = join(resultsDir, "jest.json");
      rmSync(resultsFile, { force: true });
      const outcomes: GateOutcome[] = [];
      for (const gate of GATES) {
        out.line(`\n── ${gate.name} ──`);
        const started = Date.now();
        const code = await runPnpm(root, gate.pnpm(resultsFile, jestArgs));
        outcomes.push({ name: gate.name, ok: code === 0, ms: Date.now() - started });
      }
      const jest = existsSync(resultsFile)
        ? (JSON.parse(readFileSync(resultsFile, "utf8")) as JestSummary)
        : undefined;
      for (const line of summaryLines(outcomes, jest)) out.line(line);
      if (outcomes.some((o) => !o.ok)) process.exitCode = 1;
    });
}
