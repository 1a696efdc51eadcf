import { join } from "node:path";
import { type Command, Option } from "commander";
import { callContent, contentTarget } from "../content/client";
import { readItemFile } from "../content/item-file";
import { seedItems } from "../content/seed";
import {
  type AnnounceAnswer,
  type ChangeAnswer,
  describeRelay,
  formatAdjustments,
  formatItem,
  formatPublished,
  formatSeeded,
  type ItemView,
  type PublishAnswer,
} from "../content/views";
import { repoRoot } from "../stack/settings";
import type { Output } from "./output";

const TAKEDOWN_MODES = ["withdrawn", "removed", "replaced"] as const;

const itemPath = (id: string) => `/items/${encodeURIComponent(id)}`;

/** Commands that act on items through the content service's editors' API, as the local admin. */
export function registerContentCommands(program: Command, out: Output): void {
  program
    .command("publish")
    .description(
      "create and publish an item from a .json file, or a .md file with YAML front matter (admin: no review; the audit trail records it)",
    )
    .argument("<file>", "the item: .json, or .md whose front matter holds the fields")
    .option("--json", 'print {"id":…,"version":…} only')
    .action(async (file: string, options: { json?: boolean }) => {
      const input = await readItemFile(file);
      const answer = await callContent<PublishAnswer>(contentTarget(), "POST", "/publish", input);
      if (options.json) out.line(JSON.stringify({ id: answer.id, version: answer.version }));
      else for (const line of formatPublished(answer)) out.line(line);
    });

  program
    .command("item")
    .description("show an item: kind, status, current version, dates, deadline and takedown")
    .argument("<id>", "the item's id")
    .option("--json", "print the item as the content service returns it")
    .action(async (id: string, options: { json?: boolean }) => {
      const item = await callContent<ItemView>(contentTarget(), "GET", itemPath(id));
      if (options.json) out.json(item);
      else for (const line of formatItem(item)) out.line(line);
    });

  program
    .command("takedown")
    .description("take a published item down everywhere (a new version that retracts it)")
    .argument("<id>", "the item's id")
    .addOption(
      new Option("--mode <mode>", "withdrawn keeps a public notice; removed and replaced do not")
        .choices(TAKEDOWN_MODES)
        .makeOptionMandatory(),
    )
    .requiredOption("--reason <text>", "why, for the audit trail")
    .option("--explanation <text>", "the public explanation (required when withdrawn)")
    .option("--replaced-by <id>", "the published item that replaces it (mode replaced)")
    .option("--json", 'print {"id":…,"status":…,"version":…} only')
    .action(
      async (
        id: string,
        options: {
          mode: string;
          reason: string;
          explanation?: string;
          replacedBy?: string;
          json?: boolean;
        },
      ) => {
        const answer = await callContent<ChangeAnswer>(
          contentTarget(),
          "POST",
          `${itemPath(id)}/takedown`,
          {
            mode: options.mode,
            reason: options.reason,
            ...(options.explanation !== undefined
              ? { publicExplanation: options.explanation }
              : {}),
            ...(options.replacedBy !== undefined ? { replacedBy: options.replacedBy } : {}),
          },
        );
        const version = answer.published?.version ?? answer.item.current?.version ?? 0;
        const status = answer.item.status;
        if (options.json) out.line(JSON.stringify({ id: answer.item.id, status, version }));
        else out.line(`${answer.item.id}: ${status}, version ${version}`);
      },
    );

  program
    .command("announce")
    .description(
      "ask the content service's relay to send an item's newest public state again (retries an item it set aside)",
    )
    .argument("<id>", "the item's id")
    .action(async (id: string) => {
      const answer = await callContent<AnnounceAnswer>(
        contentTarget(),
        "POST",
        `${itemPath(id)}/announce`,
      );
      out.line(
        `${answer.id}: version ${answer.version} asked for; relay: ${describeRelay(answer.relay)}`,
      );
    });

  program
    .command("seed")
    .description(
      "publish the demo items (the 2016 work plan, its interpretation, a penalty, a notice, a hotline answer); safe to repeat",
    )
    .option("--json", 'print [{"id":…,"kind":…,"version":…}] only')
    .action(async (options: { json?: boolean }) => {
      const target = contentTarget();
      const published = await publishDemoItems(target);
      if (options.json) {
        const summary = published.map((a) => ({ id: a.id, kind: a.item.kind, version: a.version }));
        out.line(JSON.stringify(summary));
        return;
      }
      out.line(`published ${published.length} demo items to ${target.url}:`);
      printSeeded(out, published);
    });
}

/** Publishes the demo items (idempotently: a rerun returns the same items). */
export async function publishDemoItems(target = contentTarget()): Promise<PublishAnswer[]> {
  const items = await seedItems(join(repoRoot(), "examples"));
  const published: PublishAnswer[] = [];
  // One at a time: the interpretation is valid only once its policy document is published.
  for (const item of items) {
    published.push(await callContent<PublishAnswer>(target, "POST", "/publish", item));
  }
  return published;
}

export function printSeeded(out: Output, published: PublishAnswer[]): void {
  const table = formatSeeded(
    published.map((a) => ({
      id: a.id,
      kind: a.item.kind,
      version: a.version,
      title: a.item.current?.fields.title ?? "",
    })),
  );
  published.forEach((answer, i) => {
    out.line(table[i] ?? "");
    for (const line of formatAdjustments(answer.adjustments, "    ")) out.line(line);
  });
}
