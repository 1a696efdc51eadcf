#!/usr/bin/env node
import { ConfigError } from "@herald/runtime";
import { Command, CommanderError } from "commander";
import { stdoutOutput } from "./commands/output";
import { registerContentCommands } from "./commands/content";
import { registerNewmediaCommands } from "./commands/newmedia";
import { registerOutletCommands } from "./commands/outlet";
import { registerReconcilerCommands } from "./commands/reconciler";
import { registerReviewCommands } from "./commands/review";
import { registerStackCommands } from "./commands/stack";
import { registerTestCommand } from "./commands/test";
import { registerTokensCommands } from "./commands/tokens";
import { registerUpCommands } from "./commands/up";
import { CommandError } from "./content/errors";
import { StackError } from "./stack/errors";

const program = new Command()
  .name("herald")
  .description("Herald: publish once, deliver everywhere, and prove it.")
  .showHelpAfterError()
  .exitOverride();

registerUpCommands(program, stdoutOutput);
registerStackCommands(program, stdoutOutput);
registerContentCommands(program, stdoutOutput);
registerReviewCommands(program, stdoutOutput);
registerReconcilerCommands(program, stdoutOutput);
registerOutletCommands(program, stdoutOutput);
registerNewmediaCommands(program, stdoutOutput);
registerTokensCommands(program, stdoutOutput);
registerTestCommand(program, stdoutOutput);

program.parseAsync(process.argv).then(
  () => {
    // Clients may leave sockets or timers behind; a finished command ends the process.
    process.exit(process.exitCode ?? 0);
  },
  (error: unknown) => {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    if (
      error instanceof StackError ||
      error instanceof ConfigError ||
      error instanceof CommandError
    ) {
      process.stderr.write(`herald: ${error.message}\n`);
    } else {
      process.stderr.write(
        `herald: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    }
    process.exit(1);
  },
);
