import type { Command } from "commander";
import { stackSettings } from "../stack/settings";
import { heraldParts } from "../up/parts";
import { down, upDetached, upForeground } from "../up/up";
import { callContent, ContentRequestError, contentTarget } from "../content/client";
import { SEED_POLICY_ID } from "../content/seed";
import { printSeeded, publishDemoItems } from "./content";
import type { Output } from "./output";

/**
 * Publishes the demo items the first time Herald comes up (when the seed policy
 * document is not there yet), so a fresh `herald up` has content to show. Later
 * runs leave the items as editors left them. A failure is reported, not fatal:
 * Herald itself is up.
 */
async function seedOnce(out: Output): Promise<void> {
  try {
    const target = contentTarget();
    const present = await callContent(target, "GET", `/items/${SEED_POLICY_ID}`).then(
      () => true,
      (error: unknown) => {
        if (error instanceof ContentRequestError && error.status === 404) return false;
        throw error;
      },
    );
    if (present) {
      out.line("\ndemo content: already published (`./herald seed` publishes it again)");
      return;
    }
    const published = await publishDemoItems(target);
    out.line(`\ndemo content (${published.length} items; \`./herald item <id>\` shows one):`);
    printSeeded(out, published);
  } catch (error) {
    out.line(
      `\ndemo content not published: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

export function registerUpCommands(program: Command, out: Output): void {
  program
    .command("up")
    .description("run Herald locally: the stack and every service; Ctrl-C stops what it started")
    .option("-d, --detach", "return once everything is ready and leave it running")
    .option("--no-seed", "do not publish the demo items")
    .action(async (options: { detach?: boolean; seed: boolean }) => {
      const settings = stackSettings();
      const parts = heraldParts(settings);
      const line = (text: string) => out.line(text);
      const seed = options.seed ? () => seedOnce(out) : undefined;
      if (options.detach) {
        await upDetached(settings, parts, line, seed);
        out.line("Stop it with `./herald down`.");
      } else {
        await upForeground(settings, parts, line, seed);
      }
    });

  program
    .command("down")
    .description("stop everything `herald up` started")
    .action(async () => {
      const settings = stackSettings();
      await down(settings, heraldParts(settings), (text) => out.line(text));
    });
}
