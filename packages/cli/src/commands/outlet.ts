import type { Command } from "commander";
import {
  addOutlet,
  listOutlets,
  outletGatewayTarget,
  revokeOutlet,
  rotateOutlet,
} from "../outlet/client";
import {
  ALL_KINDS,
  type AddOptions,
  KIND_NAMES,
  addRequestOf,
  checkOutletName,
} from "../outlet/options";
import { outletGatewayGrpcAddress, outletGatewaySettings } from "../outlet/settings";
import { formatCredential, formatOutletList } from "../outlet/views";
import { stackSettings } from "../stack/settings";
import type { Output } from "./output";

/** Where the local gateway takes outlets, for a gateway too old to say it. */
const localGrpcAddress = () => outletGatewayGrpcAddress(outletGatewaySettings(stackSettings()));

/** Commands on the outlet gateway's registrations, through its admin API. */
export function registerOutletCommands(program: Command, out: Output): void {
  const outlet = program
    .command("outlet")
    .description(
      "register, list, revoke and rotate outlets: systems outside Herald that receive items over the outlet gateway",
    );

  outlet
    .command("add")
    .description(
      "register an outlet; prints its credential once (the gateway keeps only its hash) and how to connect",
    )
    .argument("<name>", "lower-case letters, digits and dashes; its channel is outlet-<name>")
    .requiredOption(
      "--kinds <kinds>",
      `comma-separated kinds it receives, or "${ALL_KINDS}": ${KIND_NAMES.join(", ")}`,
    )
    .option("--audiences <audiences>", "comma-separated: public, internal (default public)")
    .option("--keeps-withdrawn", "it keeps withdrawn items (they are not removed from it)")
    .option("--keeps-expired", "it keeps expired items")
    .option(
      "--json",
      "print the gateway's answer: the outlet, its credential and the gateway address",
    )
    .action(async (name: string, options: AddOptions & { json?: boolean }) => {
      const request = addRequestOf(name, options);
      const result = await addOutlet(outletGatewayTarget(), request);
      if (options.json) out.json(result);
      else
        for (const line of formatCredential(result, "registered", localGrpcAddress()))
          out.line(line);
    });

  outlet
    .command("list")
    .description(
      "every outlet: connection (instances connected), in flight, pending, backfilling, lag",
    )
    .option("--json", "print the gateway's answer: {gateway, outlets}")
    .action(async (options: { json?: boolean }) => {
      const list = await listOutlets(outletGatewayTarget());
      if (options.json) out.json(list);
      else for (const line of formatOutletList(list)) out.line(line);
    });

  outlet
    .command("revoke")
    .description("refuse the outlet's credential from now on and cut its open streams at once")
    .argument("<name>", "the outlet's name")
    .option("--json", "print the outlet as the gateway answers")
    .action(async (name: string, options: { json?: boolean }) => {
      const result = await revokeOutlet(outletGatewayTarget(), checkOutletName(name));
      if (options.json) out.json(result);
      else {
        out.line(
          `outlet ${result.name} revoked: its streams were cut and its credential is refused; the name cannot be registered again`,
        );
      }
    });

  outlet
    .command("rotate")
    .description("give the outlet a new credential, printed once; streams on the old one are cut")
    .argument("<name>", "the outlet's name")
    .option(
      "--json",
      "print the gateway's answer: the outlet, its new credential and the gateway address",
    )
    .action(async (name: string, options: { json?: boolean }) => {
      const result = await rotateOutlet(outletGatewayTarget(), checkOutletName(name));
      if (options.json) out.json(result);
      else
        for (const line of formatCredential(result, "rotated", localGrpcAddress())) out.line(line);
    });
}
