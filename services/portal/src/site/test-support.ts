/**
 * Fixtures for the website's tests and benchmarks: item states built the way the
 * content service sends them, and the demo texts from `examples/`.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join, resolve } from "node:path";
import { ItemKind, ItemState, ItemStatus, Relation } from "@herald/contracts";
import type { Application } from "express";

type StateInput = Parameters<typeof ItemState.fromPartial>[0];

/** The repository's `examples/` folder. */
export const EXAMPLES_DIR = resolve(__dirname, "../../../../examples");

/** A published item with sensible defaults, overridden by `input`. */
export function makeItem(input: StateInput & { id: string }): ItemState {
  return ItemState.fromPartial({
    version: 1,
    kind: ItemKind.ITEM_KIND_NEWS,
    status: ItemStatus.ITEM_STATUS_PUBLISHED,
    title: `标题 ${input.id}`,
    summary: "",
    bodyHtml: "<p>正文</p>",
    category: "工作动态",
    issuingOffice: "海关总署办公厅",
    dates: { publishedAt: new Date("2016-06-01T02:00:00Z") },
    ...input,
  });
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** Lines of text as HTML: short lines without sentence punctuation become headings. */
export function linesToHtml(lines: readonly string[]): string {
  return lines
    .map((line) =>
      line.length <= 40 && !/[。；;:：？]/.test(line)
        ? `<h2>${escapeHtml(line)}</h2>`
        : `<p>${escapeHtml(line)}</p>`,
    )
    .join("\n");
}

/** The seed work plan (traditional characters, as published) as the policy document `customs-disclosure-2016`. */
export function seedWorkPlan(): ItemState {
  const lines = readFileSync(join(EXAMPLES_DIR, "seed", "customs-disclosure-2016.txt"), "utf8")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return makeItem({
    id: "customs-disclosure-2016",
    kind: ItemKind.ITEM_KIND_POLICY_DOCUMENT,
    title: lines[0] ?? "",
    summary:
      "海关总署办公厅印发2016年海关政务公开工作要点，部署重点领域信息公开、行政执法公示、政务服务公开、公众参与和解读回应、政务公开能力建设五方面工作。",
    bodyHtml: linesToHtml(lines.slice(3)),
    category: "政务公开",
    tags: ["政务公开", "工作要点"],
    documentNumber: lines[2] ?? "",
    indexNumber: "000014672/2016-00030",
    dates: {
      formedAt: new Date("2016-05-20T00:00:00+08:00"),
      publishedAt: new Date("2016-05-24T09:30:00+08:00"),
      effectiveAt: new Date("2016-05-24T00:00:00+08:00"),
    },
  });
}

/** The text of an example item file below its front matter, as lines. */
export function exampleBodyLines(file: string): string[] {
  const text = readFileSync(join(EXAMPLES_DIR, "items", file), "utf8");
  const body = text.split(/^---$/m)[2] ?? "";
  return body
    .split(/\r?\n/)
    .map((l) =>
      l
        .replace(/^#+\s*/, "")
        .replaceAll("**", "")
        .trim(),
    )
    .filter(Boolean);
}

/** The example interpretation of the seed work plan. */
export function seedInterpretation(): ItemState {
  return makeItem({
    id: "customs-disclosure-2016-interpretation",
    kind: ItemKind.ITEM_KIND_POLICY_INTERPRETATION,
    title: "《2016年海关政务公开工作要点》解读",
    summary:
      "从工作思路、执法公示、政务服务、解读回应和能力建设五个方面，解读2016年海关政务公开工作的重点安排。",
    bodyHtml: linesToHtml(exampleBodyLines("policy-interpretation.md")),
    category: "政策解读",
    tags: ["政务公开", "政策解读"],
    related: [{ relation: Relation.RELATION_INTERPRETS, itemId: "customs-disclosure-2016" }],
    dates: { publishedAt: new Date("2016-05-26T10:00:00+08:00") },
  });
}

/** A running site app on an ephemeral loopback port, with a `get` that never follows redirects. */
export interface RunningSite {
  readonly get: (
    path: string,
    init?: { cookie?: string; headers?: Record<string, string> },
  ) => Promise<Response>;
  readonly close: () => Promise<void>;
}

/** Starts `app` on 127.0.0.1 with an ephemeral port. */
export async function startSite(app: Application): Promise<RunningSite> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    get: (path, init) =>
      fetch(`http://127.0.0.1:${port}${path}`, {
        redirect: "manual",
        headers: { ...init?.headers, ...(init?.cookie ? { cookie: init.cookie } : {}) },
      }),
    close: () =>
      new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

/** The site settings the page tests render with. */
export const TEST_SITE = { name: "海关总署政府信息公开", baseUrl: "http://127.0.0.1:4100" };

/** GETs a page; its HTML comes back with handlebars' "&#x3D;" read as "=" for assertions. */
export async function readPage(
  site: RunningSite,
  path: string,
  cookie?: string,
): Promise<{ status: number; html: string; res: Response }> {
  const res = await site.get(path, cookie ? { cookie } : undefined);
  return { status: res.status, html: (await res.text()).replaceAll("&#x3D;", "="), res };
}

/** The content of `<meta name="…">` in a page, if present. */
export function metaContent(html: string, name: string): string | undefined {
  return new RegExp(`<meta name="${name}" content="([^"]*)">`).exec(html)?.[1];
}
