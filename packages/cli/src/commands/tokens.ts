import { Option, type Command } from "commander";
import { contentSettings } from "../content/settings";
import { stackSettings } from "../stack/settings";
import { TOKEN_SERVICES, type TokenService, rotateTokens } from "../tokens/rotate";
import type { Output } from "./output";

/** Commands on the services' token files. */
export function registerTokensCommands(program: Command, out: Output): void {
  const tokens = program
    .command("tokens")
    .description(
      "manage the bearer tokens the services accept (their token files hold hashes only)",
    );
  tokens
    .command("rotate")
    .description(
      "give a token a new secret: prints it once on stdout, writes its hash to the token file; the running services refuse the old one within seconds, without a restart",
    )
    .argument("<name>", "the token's name in the token file, e.g. editor or operator")
    .addOption(
      new Option("--service <service>", "which token file of the local home (.herald/secrets/)")
        .choices(TOKEN_SERVICES)
        .default("content"),
    )
    .option(
      "--file <path>",
      "rotate in this token file instead (a deployment's); nothing else is changed",
    )
    .action((name: string, options: { service: TokenService; file?: string }) => {
      const secrets = contentSettings(stackSettings()).secrets;
      const result = rotateTokens(secrets, {
        name,
        service: options.service,
        ...(options.file ? { file: options.file } : {}),
      });
      out.line(result.token);
      process.stderr.write(
        `herald: rotated ${name} in ${result.file}, which keeps only its hash; the new token is printed above\n`,
      );
      for (const file of result.updated) process.stderr.write(`herald: updated ${file}\n`);
      for (const note of result.notes) process.stderr.write(`herald: note: ${note}\n`);
    });
}
