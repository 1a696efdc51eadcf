import type { Command } from "commander";
import { rmSync } from "node:fs";
import { platformsSettings } from "../platforms/settings";
import { stackDown, stackReset, stackStatus, stackUp } from "../stack/stack";
import { stackSettings } from "../stack/settings";
import { heraldParts } from "../up/parts";
import { down } from "../up/up";
import type { ServerStatus } from "../stack/types";
import type { Output } from "./output";

function describe(name: string, s: ServerStatus): string {
  const state = s.ready ? "running" : s.running ? "running (not answering)" : "stopped";
  return [
    `${name}: ${state}`,
    `  address  ${s.address}`,
    `  version  ${s.version ?? "not installed"}`,
    `  pid      ${s.pid ?? "-"}`,
    `  data     ${s.dataDir}`,
    `  log      ${s.logFile}`,
  ].join("\n");
}

export function registerStackCommands(program: Command, out: Output): void {
  const stack = program
    .command("stack")
    .description("the local Kafka broker and MongoDB-protocol database (FerretDB), without Docker");

  stack
    .command("up")
    .description("provision (once) and start Kafka and FerretDB, and wait until both answer")
    .action(async () => {
      const settings = stackSettings();
      const result = await stackUp(settings);
      if (result.kafka === "running" && result.ferretdb === "running")
        out.line("the stack is already running");
      for (const { name, reason } of result.outdated) {
        // Left running: other commands or tests may be using it.
        out.line(
          `${name}: ${reason}; restart it with \`herald stack down\` and \`herald stack up\``,
        );
      }
      out.line(describe("kafka", result.status.kafka));
      out.line(describe("ferretdb", result.status.ferretdb));
      out.line("");
      out.line(`KAFKA_BROKERS=${result.status.kafka.address}`);
      out.line(`MONGO_URL=${result.status.ferretdb.address}`);
    });

  stack
    .command("down")
    .description("stop the servers `stack up` started; their data is kept")
    .action(async () => {
      const stopped = await stackDown(stackSettings());
      out.line(`kafka: ${stopped.kafka ? "stopped" : "was not running"}`);
      out.line(`ferretdb: ${stopped.ferretdb ? "stopped" : "was not running"}`);
    });

  stack
    .command("reset")
    .description(
      "stop everything `herald up` started, delete the servers' data and logs and empty the emulated WeChat and Weibo accounts (downloads stay cached)",
    )
    .action(async () => {
      const settings = stackSettings();
      // The services would fail without their data; and the emulator's articles and
      // posts are what the channel's holdings, deleted here, point at: kept, they
      // would be published a second time beside the old ones after the reset.
      await down(settings, heraldParts(settings), () => undefined);
      await stackReset(settings);
      rmSync(platformsSettings(settings).stateFile, { force: true });
      out.line("the stack is stopped and its data deleted, the emulated accounts emptied");
    });

  stack
    .command("status")
    .description("for Kafka and FerretDB: running or not, address, version, pid, data folder")
    .option("--json", "print JSON: {kafka, ferretdb}, each with running, address, version, …")
    .action(async (options: { json?: boolean }) => {
      const status = await stackStatus(stackSettings());
      if (options.json) out.json(status);
      else out.line(`${describe("kafka", status.kafka)}\n${describe("ferretdb", status.ferretdb)}`);
    });
}
