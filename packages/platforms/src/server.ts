import { createHash, randomInt } from "node:crypto";
import { type AddressInfo } from "node:net";
import { type Server } from "node:http";
import express, { type NextFunction, type Request, type Response } from "express";
import { createControl, type PlatformsControl } from "./control";
import { controlRouter } from "./control-routes";
import { pagesRouter } from "./pages";
import { type StartPlatformsOptions } from "./types";
import { publishJobFinishXml, settleJobs } from "./wechat/publish";
import { wechatRouter } from "./wechat/routes";
import { weiboRouter } from "./weibo/routes";
import { World } from "./world";
import { loadState, saveState } from "./persist";

export interface Platforms {
  /** The emulator's base URL: the WeChat API base (for https://api.weixin.qq.com) and the Weibo one (for https://api.weibo.com). */
  url: string;
  port: number;
  close(): Promise<void>;
  /** The same operations as the control HTTP API, in process. */
  control: PlatformsControl;
}

/** How often finished publish jobs are looked for (for events and the public view). */
const SETTLE_INTERVAL_MS = 100;
const SAVE_INTERVAL_MS = 500;

export async function startPlatforms(options: StartPlatformsOptions = {}): Promise<Platforms> {
  const now = options.now ?? Date.now;
  const publishJobMs = options.publishJobMs ?? 2000;
  if (!Number.isFinite(publishJobMs) || publishJobMs < 0)
    throw new Error(`publishJobMs must be a number >= 0, not ${publishJobMs}`);
  const world = new World(now, publishJobMs, options.wechat ?? [], options.weibo ?? []);
  if (options.stateFile !== undefined) loadState(world, options.stateFile);

  const settle = (): void => {
    for (const account of world.wechat.values()) {
      const finished = settleJobs(
        account,
        world.now(),
        (id, idx) => `${world.baseUrl}/s/${id}${idx > 1 ? `?idx=${idx}` : ""}`,
      );
      if (finished.length > 0) world.dirty = true;
      const eventUrl = account.seed.eventUrl;
      for (const job of finished) {
        if (job.notified) continue;
        job.notified = true;
        if (eventUrl === undefined) continue;
        // Best effort, as the platform's push is: the account's server may be down, and then
        // the caller has to poll freepublish/get.
        fetch(signedEventUrl(eventUrl, account.seed.eventToken, world.now()), {
          method: "POST",
          headers: { "content-type": "text/xml" },
          body: publishJobFinishXml(account, job, world.now()),
        }).catch(() => undefined);
      }
    }
  };
  const control = createControl(world, settle);

  const app = express();
  app.disable("x-powered-by");
  app.use("/_control", controlRouter(control, options.controlToken));
  app.use(wechatRouter(world, settle));
  app.use("/2", weiboRouter(world));
  app.use(pagesRouter(world, settle));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ error: err instanceof Error ? err.message : String(err) });
  });

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? 0, options.host ?? "127.0.0.1", (err?: Error) =>
      err === undefined ? resolve(s) : reject(err),
    );
  });
  const port = (server.address() as AddressInfo).port;
  const host =
    options.host === undefined || options.host === "0.0.0.0" || options.host === "::"
      ? "127.0.0.1"
      : options.host;
  world.baseUrl = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  const settleTimer = setInterval(settle, SETTLE_INTERVAL_MS);
  settleTimer.unref();
  const save = (): void => {
    if (options.stateFile === undefined || !world.dirty) return;
    world.dirty = false;
    saveState(world, options.stateFile);
  };
  const saveTimer = setInterval(save, SAVE_INTERVAL_MS);
  saveTimer.unref();

  return {
    url: world.baseUrl,
    port,
    control,
    close: async () => {
      clearInterval(settleTimer);
      clearInterval(saveTimer);
      save();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((err) => (err === undefined ? resolve() : reject(err))),
      );
    },
  };
}

/**
 * The account's server URL with the platform's signature: sha1 of the token, the
 * timestamp and the nonce, sorted and joined (plaintext mode). Unsigned without a token.
 */
function signedEventUrl(url: string, token: string | undefined, now: number): string {
  if (token === undefined) return url;
  const timestamp = String(Math.floor(now / 1000));
  const nonce = String(randomInt(1_000_000_000));
  const signature = createHash("sha1")
    .update([token, timestamp, nonce].sort().join(""))
    .digest("hex");
  const signed = new URL(url);
  signed.searchParams.set("signature", signature);
  signed.searchParams.set("timestamp", timestamp);
  signed.searchParams.set("nonce", nonce);
  return signed.toString();
}
