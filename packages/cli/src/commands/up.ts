import type { Command } from "commander";
import { stackSettings } from "../stack/settings";
import { heraldParts } from "../up/parts";
import { down, upDetached, upForeground } from "../up/up";
import type { Output } from "./output";

export function registerUpCommands(program: Command, out: Output): void {
  program
    .command("up")
    .description("run Herald locally: the stack and every service; Ctrl-C stops what it started")
    .option("-d, --detach", "return once everything is ready and leave it running")
    .action(async (options: { detach?: boolean }) => {
      const settings = stackSettings();
      const parts = heraldParts(settings);
      const line = (text: string) => out.line(text);
      if (options.detach) {
        await upDetached(settings, parts, line);
        out.line("Stop it with `./herald down`.");
      } else {
        await upForeground(settings, parts, line);
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
