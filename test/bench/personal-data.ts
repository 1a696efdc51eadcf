/**
 * What the personal-data matcher costs: the normalised view (NFKC, invisible
 * characters, markup flattened) and the search for ID, mobile and card numbers
 * in it, per item on the seed work plan (every text field of the policy document
 * `herald seed` publishes), and on a 2 MB body. Each figure is the median of
 * `--runs` runs; the sanitiser's time on the same body is printed beside it for
 * scale, and two worst cases follow (a body of nothing but mobile numbers, and
 * one run of a million one-digit groups). CPU only: no stack is needed.
 *
 *   pnpm bench:personal-data [--runs 7] [--items 200] [--json]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { findPersonalData, maskPersonalData, sanitizeBody } from "@herald/content";
import { ROOT } from "@herald/test-harness";
import { table } from "./bench-stats";

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "7" },
    items: { type: "string", default: "200" },
    json: { type: "boolean", default: false },
  },
});
const runs = Math.max(1, Number(args.runs));
const itemsPerRun = Math.max(1, Number(args.items));

/** The largest body the service takes, in characters. */
const BODY_LIMIT = 2_000_000;

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** The seed work plan's lines, as `herald seed` reads them (the first is the title). */
const lines = readFileSync(join(ROOT, "examples/seed/customs-disclosure-2016.txt"), "utf8")
  .split(/\r?\n/)
  .map((line) => line.trim())
  .filter(Boolean);

/** The seed policy document's text fields: [value, is HTML]. */
const seedFields: Array<[string, boolean]> = [
  [lines[0]!, false],
  ["海关总署办公厅印发2016年海关政务公开工作要点，部署五方面工作。", false],
  [
    lines
      .slice(3)
      .map((line) => `<p>${escapeHtml(line)}</p>`)
      .join("\n"),
    true,
  ],
  ["政务公开", false],
  ["政务公开", false],
  ["工作要点", false],
  ["海关总署办公厅", false],
  [lines[2]!, false],
];

/**
 * A 2 MB body: the seed's paragraphs again and again, with inline markup and the
 * look-alikes the matcher has to read and reject (dates, amounts, document and
 * declaration numbers, an ID with a wrong check digit in groups).
 */
function largeBody(): string {
  const extras = [
    "（2016-01-01起施行，罚款1,234,567.89 元）",
    "报关单号 5316 2024 1000 1234 56，",
    "身份证号 110105 19491231 0021（校验位不符），",
    "<span>沪关缉违字</span>〔2016〕<b>12</b>号",
  ];
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < BODY_LIMIT - 2_000; i += 1) {
    const line = lines[3 + (i % (lines.length - 3))]!;
    const paragraph = `<p>${escapeHtml(line)}<em>${extras[i % extras.length]!}</em></p>\n`;
    parts.push(paragraph);
    length += paragraph.length;
  }
  return parts.join("");
}

function time(action: () => void): number {
  const started = performance.now();
  action();
  return performance.now() - started;
}

interface Figure {
  name: string;
  unit: "µs" | "ms";
  runs: number[];
}

const seedItem = () => {
  for (const [value, html] of seedFields) findPersonalData(value, { html });
};
const seedMask = () => {
  for (const [value, html] of seedFields) maskPersonalData(value, { html });
};
const seedSanitize = () => void sanitizeBody(seedFields[2]![0]);

// Warm up once so that the first run does not pay for compilation.
for (let i = 0; i < 20; i += 1) {
  seedItem();
  seedMask();
  seedSanitize();
}

const perItem = (action: () => void): number[] =>
  Array.from({ length: runs }, () => {
    const total = time(() => {
      for (let i = 0; i < itemsPerRun; i += 1) action();
    });
    return (total / itemsPerRun) * 1000;
  });

const body = largeBody();
const manyMobiles = "13812345678，".repeat(BODY_LIMIT / 12);
const oneLongRun = "1 ".repeat(BODY_LIMIT / 2);
const once = (action: () => void): number[] => Array.from({ length: runs }, () => time(action));

const figures: Figure[] = [
  { name: "seed item: find, every text field", unit: "µs", runs: perItem(seedItem) },
  { name: "seed item: mask, every text field", unit: "µs", runs: perItem(seedMask) },
  { name: "seed item: sanitise the body (for scale)", unit: "µs", runs: perItem(seedSanitize) },
  { name: "2 MB body: find", unit: "ms", runs: once(() => findPersonalData(body, { html: true })) },
  { name: "2 MB body: mask", unit: "ms", runs: once(() => maskPersonalData(body, { html: true })) },
  { name: "2 MB body: sanitise (for scale)", unit: "ms", runs: once(() => sanitizeBody(body)) },
  // Worst cases an editor could send: every number a candidate, or one run of a million groups.
  {
    name: "2 MB of mobiles (166,666 found): find",
    unit: "ms",
    runs: once(() => findPersonalData(manyMobiles, { html: true })),
  },
  {
    name: "2 MB of mobiles (166,666 found): mask",
    unit: "ms",
    runs: once(() => maskPersonalData(manyMobiles, { html: true })),
  },
  {
    name: "2 MB of single digits in one run: find",
    unit: "ms",
    runs: once(() => findPersonalData(oneLongRun, { html: true })),
  },
];

if (args.json) {
  print(
    JSON.stringify({
      runs,
      itemsPerRun,
      seedBodyChars: seedFields[2]![0].length,
      largeBodyChars: body.length,
      figures: figures.map((f) => ({
        name: f.name,
        unit: f.unit,
        median: median(f.runs),
        runs: f.runs,
      })),
    }),
  );
} else {
  print(
    `Personal-data matcher, median of ${runs} runs (seed body ${seedFields[2]![0].length} characters, ${itemsPerRun} items a run; large body ${body.length} characters)`,
  );
  const fixed = (value: number) => value.toFixed(value < 10 ? 2 : 1);
  print(
    table([
      ["", "median", "min", "max", "unit"],
      ...figures.map((f) => [
        f.name,
        fixed(median(f.runs)),
        fixed(Math.min(...f.runs)),
        fixed(Math.max(...f.runs)),
        f.unit,
      ]),
    ]),
  );
}
