/**
 * Accessibility checks of a page in the harness's browser with axe-core, held to
 * WCAG 2.x levels A and AA: what a public body's websites are required to meet.
 */
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";

/** The axe-core tags of WCAG 2.0, 2.1 and 2.2 at levels A and AA. */
export const WCAG_AA_TAGS: readonly string[] = [
  "wcag2a",
  "wcag2aa",
  "wcag21a",
  "wcag21aa",
  "wcag22aa",
];

/** One rule a page breaks, with every element that breaks it. */
export interface AxeViolation {
  /** The axe rule id, e.g. `color-contrast`. */
  readonly rule: string;
  /** `minor`, `moderate`, `serious` or `critical`. */
  readonly impact: string;
  /** What the rule asks for, in one sentence. */
  readonly help: string;
  readonly helpUrl: string;
  /** A CSS selector per offending element, with axe's note on what is wrong with it. */
  readonly targets: readonly { readonly selector: string; readonly summary: string }[];
}

/** The part of axe's result this module reads; the page returns plain JSON. */
interface AxeRunResult {
  violations: {
    id: string;
    impact?: string | null;
    help: string;
    helpUrl: string;
    nodes: { target: unknown[]; failureSummary?: string }[];
  }[];
}

/**
 * One rule set aside for one element: a finding axe cannot judge right (a false
 * positive), with the reason. Never a rule for a whole page.
 */
export interface AxeException {
  readonly rule: string;
  /** The element's selector exactly as axe reports it in `targets`. */
  readonly selector: string;
  /** Why the finding is wrong here; required so that every exception is explained. */
  readonly why: string;
}

let axeSource: string | undefined;

function loadAxeSource(): string {
  axeSource ??= readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  return axeSource;
}

/**
 * Runs axe-core on the page as it stands, with the WCAG 2.x A/AA rules, and
 * returns what it finds ([] for a clean page), less the `exceptions`, each of
 * which sets one rule aside for one element.
 *
 * axe is put into the page through the DevTools protocol rather than a script
 * tag: Herald's pages forbid every script in their CSP, and the check must see
 * the pages as they are served, CSP included.
 */
export async function runAxe(
  page: Page,
  exceptions: readonly AxeException[] = [],
): Promise<AxeViolation[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const injected = await cdp.send("Runtime.evaluate", { expression: loadAxeSource() });
    if (injected.exceptionDetails)
      throw new Error(
        `axe-core could not be loaded into ${page.url()}: ${injected.exceptionDetails.text}`,
      );
  } finally {
    await cdp.detach();
  }
  const result = await page.evaluate(
    async (tags: string[]) => {
      const { axe } = globalThis as unknown as {
        axe: { run(context: unknown, options: unknown): Promise<unknown> };
      };
      const run = await axe.run((globalThis as unknown as { document: unknown }).document, {
        runOnly: { type: "tag", values: tags },
        resultTypes: ["violations"],
      });
      // Through JSON: the result holds DOM nodes, which do not cross to the test.
      return JSON.parse(JSON.stringify(run)) as unknown;
    },
    [...WCAG_AA_TAGS],
  );
  const violations = (result as AxeRunResult).violations.map((violation) => ({
    rule: violation.id,
    impact: violation.impact ?? "unknown",
    help: violation.help,
    helpUrl: violation.helpUrl,
    targets: violation.nodes.map((node) => ({
      selector: node.target
        .map((part) => (Array.isArray(part) ? part.join(" >>> ") : String(part)))
        .join(" "),
      summary: (node.failureSummary ?? "").replace(/\s+/g, " ").trim(),
    })),
  }));
  const excepted = (rule: string, selector: string) =>
    exceptions.some((e) => e.rule === rule && e.selector === selector);
  return violations
    .map((violation) => ({
      ...violation,
      targets: violation.targets.filter((target) => !excepted(violation.rule, target.selector)),
    }))
    .filter((violation) => violation.targets.length > 0);
}

/**
 * The violations of several pages as a list a developer can work from: per page,
 * each rule with its impact, what it asks and every element that breaks it.
 * Empty when there are none.
 */
export function formatAxeViolations(byPage: ReadonlyMap<string, readonly AxeViolation[]>): string {
  const lines: string[] = [];
  for (const [pageName, violations] of byPage) {
    if (violations.length === 0) continue;
    lines.push(`${pageName}:`);
    for (const violation of violations) {
      lines.push(
        `  [${violation.impact}] ${violation.rule}: ${violation.help} (${violation.helpUrl})`,
      );
      for (const target of violation.targets)
        lines.push(`      ${target.selector}${target.summary ? ` — ${target.summary}` : ""}`);
    }
  }
  return lines.join("\n");
}
