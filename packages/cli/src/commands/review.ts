import type { Command } from "commander";
import { callContent, ContentRequestError, contentTarget } from "../content/client";
import { CommandError } from "../content/errors";
import type { ChangeAnswer } from "../content/views";
import type { Output } from "./output";

const itemPath = (id: string) => `/items/${encodeURIComponent(id)}`;

/**
 * The revision the reviewer read. Required: without it the service would have to
 * guess, and four-eyes means approving what was read, not what the draft is now.
 */
export function reviewedRevision(action: "approve" | "reject", id: string, value?: string): number {
  const how = `the revision you reviewed, as \`herald item ${id}\` shows it`;
  if (value === undefined) {
    throw new CommandError(
      `herald ${action} needs --revision <n>: ${how}, so that what you ${action} is what you read`,
    );
  }
  if (!/^[1-9]\d*$/.test(value)) {
    throw new CommandError(
      `--revision must be a whole number of at least 1 (${how}), not "${value}"`,
    );
  }
  return Number(value);
}

/** Calls approve or reject; a stale revision gets a hint on what to do next. */
async function review(
  action: "approve" | "reject",
  id: string,
  body: Record<string, unknown>,
): Promise<ChangeAnswer> {
  try {
    return await callContent<ChangeAnswer>(
      contentTarget(),
      "POST",
      `${itemPath(id)}/${action}`,
      body,
    );
  } catch (error) {
    if (error instanceof ContentRequestError && error.status === 409) {
      throw new CommandError(
        `${error.message}\nnothing was done; read the item again with \`herald item ${id}\` and ${action} the revision it shows`,
      );
    }
    throw error;
  }
}

/** herald approve / reject: a reviewer's decision on a draft in review, for the revision read. */
export function registerReviewCommands(program: Command, out: Output): void {
  program
    .command("approve")
    .description(
      "approve a draft in review: --revision is the revision you read (`herald item` shows it); a draft changed since is not approved",
    )
    .argument("<id>", "the item's id")
    .option("--revision <n>", "the revision you reviewed (required)")
    .option("--note <text>", "a note for the audit trail")
    .option("--json", 'print {"id":…,"revision":…,"status":…} only')
    .action(async (id: string, options: { revision?: string; note?: string; json?: boolean }) => {
      const revision = reviewedRevision("approve", id, options.revision);
      const answer = await review("approve", id, {
        revision,
        ...(options.note !== undefined ? { note: options.note } : {}),
      });
      const { item } = answer;
      if (options.json) {
        out.line(JSON.stringify({ id: item.id, revision: item.revision, status: item.status }));
      } else
        out.line(`${item.id}: ${item.status} (revision ${revision} as read; now ${item.revision})`);
    });

  program
    .command("reject")
    .description(
      "send a draft in review back to its editors with a reason: --revision is the revision you read (`herald item` shows it)",
    )
    .argument("<id>", "the item's id")
    .option("--revision <n>", "the revision you reviewed (required)")
    .requiredOption("--reason <text>", "what the editors should change")
    .option("--json", 'print {"id":…,"revision":…,"status":…} only')
    .action(async (id: string, options: { revision?: string; reason: string; json?: boolean }) => {
      const revision = reviewedRevision("reject", id, options.revision);
      const answer = await review("reject", id, { revision, reason: options.reason });
      const { item } = answer;
      if (options.json) {
        out.line(JSON.stringify({ id: item.id, revision: item.revision, status: item.status }));
      } else
        out.line(`${item.id}: back to its editors as a ${item.status} (revision ${item.revision})`);
    });
}
