import type { Command } from "commander";
import { newmediaStatusLines } from "../newmedia/status";
import { outletStatusLines } from "../outlet/status";
import {
  itemStatus,
  itemSummary,
  notConsumingLines,
  reconcilerTarget,
  runAudit,
} from "../reconciler/client";
import { type AuditReportView, formatReport, formatStatus } from "../reconciler/views";
import { startProgress } from "../ui/progress";
import type { Output } from "./output";

/**
 * Runs the audit, with a progress line on stderr when it is a terminal (a script
 * reading stdout, or a log, gets the report alone).
 */
async function auditWithProgress(
  audit: () => Promise<AuditReportView>,
  stderr: NodeJS.WriteStream = process.stderr,
): Promise<AuditReportView> {
  if (stderr.isTTY !== true) return audit();
  const progress = startProgress("reconcile", stderr);
  progress.update("auditing every channel's holdings");
  try {
    const report = await audit();
    progress.done(`audited ${report.runs.length} channel${report.runs.length === 1 ? "" : "s"}`);
    return report;
  } catch (error) {
    progress.fail("failed");
    throw error;
  }
}

/** Commands that ask the reconciler, with the operator token, what every channel holds. */
export function registerReconcilerCommands(program: Command, out: Output): void {
  program
    .command("status")
    .description(
      "show an item on every channel: its state, the version held, how long delivery took or why it is not there (from the reconciler); then the channels not consuming normally (reconciler), the outlets' connection and lag (from the outlet gateway) and each newmedia account's freshness and open tasks (from the newmedia channel)",
    )
    .argument("<id>", "the item's id")
    .option(
      "--json",
      'print {"id":…,"version":…,"channels":{"<channel>":{"state":…,"version":…}}} only',
    )
    .action(async (id: string, options: { json?: boolean }) => {
      const target = reconcilerTarget();
      const summary = await itemSummary(target, id);
      if (options.json) {
        out.json(summary);
        return;
      }
      const [status, channels, outlets, accounts] = await Promise.all([
        itemStatus(target, id),
        notConsumingLines(target),
        outletStatusLines(),
        newmediaStatusLines(),
      ]);
      for (const line of [...formatStatus(summary, status), ...channels, ...outlets, ...accounts]) {
        out.line(line);
      }
    });

  program
    .command("reconcile")
    .description(
      "audit every channel's holdings now and list the open findings; exits 0 when there are findings too (they are the report, not a failure)",
    )
    .option(
      "--json",
      "print the report as the reconciler returns it: {runs, findings, stale?, notConsuming?}",
    )
    .action(async (options: { json?: boolean }) => {
      const target = reconcilerTarget();
      const report = await auditWithProgress(() => runAudit(target));
      if (options.json) out.json(report);
      else for (const line of formatReport(report)) out.line(line);
    });
}
