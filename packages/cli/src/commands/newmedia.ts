import type { Command } from "commander";
import {
  checkOutletId,
  listAccounts,
  listTasks,
  markTaskDone,
  newmediaTarget,
} from "../newmedia/client";
import { formatAccounts, formatDone, formatTasks } from "../newmedia/views";
import type { Output } from "./output";

/** Commands on the newmedia channel (WeChat official accounts, Weibo), through its operators' API. */
export function registerNewmediaCommands(program: Command, out: Output): void {
  const newmedia = program
    .command("newmedia")
    .description(
      "the WeChat and Weibo accounts of the newmedia channel: their freshness and quotas, and the posts operators must delete by hand",
    );

  newmedia
    .command("accounts")
    .description(
      "every account: ready, holdings, last post and days since, quotas near their limit, freshness (✓, ! warning, ✗ finding)",
    )
    .option("--json", "print the channel's answer: {accounts}")
    .action(async (options: { json?: boolean }) => {
      const list = await listAccounts(newmediaTarget());
      if (options.json) out.json(list);
      else for (const line of formatAccounts(list)) out.line(line);
    });

  newmedia
    .command("tasks")
    .description(
      "what operators must do by hand (delete a Weibo post the API cannot delete), with the post's URL",
    )
    .option("--all", "the tasks done too")
    .option("--json", "print the channel's answer: {tasks}")
    .action(async (options: { all?: boolean; json?: boolean }) => {
      const all = options.all === true;
      const list = await listTasks(newmediaTarget(), all);
      if (options.json) out.json(list);
      else for (const line of formatTasks(list, all)) out.line(line);
    });

  newmedia
    .command("done")
    .description(
      "mark an operator task done once the post is deleted; the channel checks the platform first",
    )
    .argument("<outletId>", "the account, e.g. weibo:demo")
    .argument("<itemId>", "the item whose post was deleted")
    .option("--json", "print the channel's answer: {task}")
    .action(async (outletId: string, itemId: string, options: { json?: boolean }) => {
      const result = await markTaskDone(newmediaTarget(), checkOutletId(outletId), itemId);
      if (options.json) out.json(result);
      else for (const line of formatDone(result.task)) out.line(line);
    });
}
