import { randomBytes } from "node:crypto";
import { demoAccounts, readAccountsFile } from "./accounts-file";
import { startPlatforms } from "./server";

// HERALD_PLATFORMS_PORT: the port to listen on (default 4290).
// HERALD_PLATFORMS_HOST: the address to listen on (default 127.0.0.1).
// HERALD_PLATFORMS_ACCOUNTS_FILE: JSON {wechat: [...], weibo: [...]} of account seeds; without it, the two demo accounts.
// HERALD_PLATFORMS_STATE_FILE: where the platforms' state is kept across restarts (none: memory only).
// HERALD_PLATFORMS_CONTROL_TOKEN: bearer token the /_control API requires (none: open).
// HERALD_PLATFORMS_PUBLISH_JOB_MS: how long a freepublish job stays "publishing" (default 2000).
async function main(): Promise<void> {
  const env = process.env;
  const port = Number(env.HERALD_PLATFORMS_PORT ?? 4290);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(
      `HERALD_PLATFORMS_PORT must be a port number, not "${env.HERALD_PLATFORMS_PORT ?? ""}"`,
    );
  const publishJobMs = Number(env.HERALD_PLATFORMS_PUBLISH_JOB_MS ?? 2000);
  if (!Number.isFinite(publishJobMs) || publishJobMs < 0)
    throw new Error("HERALD_PLATFORMS_PUBLISH_JOB_MS must be a number of milliseconds >= 0");
  const accounts =
    env.HERALD_PLATFORMS_ACCOUNTS_FILE !== undefined && env.HERALD_PLATFORMS_ACCOUNTS_FILE !== ""
      ? readAccountsFile(env.HERALD_PLATFORMS_ACCOUNTS_FILE)
      : // Without a file nobody else knows the demo credentials, so they are random: the public view still works.
        demoAccounts({
          wechatSecret: randomBytes(16).toString("hex"),
          weiboAccessToken: randomBytes(16).toString("hex"),
        });
  const platforms = await startPlatforms({
    port,
    host: env.HERALD_PLATFORMS_HOST ?? "127.0.0.1",
    publishJobMs,
    wechat: accounts.wechat,
    weibo: accounts.weibo,
    ...(env.HERALD_PLATFORMS_STATE_FILE ? { stateFile: env.HERALD_PLATFORMS_STATE_FILE } : {}),
    ...(env.HERALD_PLATFORMS_CONTROL_TOKEN
      ? { controlToken: env.HERALD_PLATFORMS_CONTROL_TOKEN }
      : {}),
  });
  process.stdout.write(
    `herald-platforms listening on ${platforms.url} (WeChat ${accounts.wechat.length}, Weibo ${accounts.weibo.length} accounts; public view ${platforms.url}/)\n`,
  );
  const stop = (): void => {
    platforms.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`herald-platforms: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
