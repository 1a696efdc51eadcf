import { type ChannelRuntime, type CurrentStateSource, startChannel } from "@herald/channel-kit";
import { Topics } from "@herald/contracts";
import {
  type HeraldProducer,
  type Logger,
  connectMongo,
  createKafkaClient,
  createProducer,
} from "@herald/runtime";
import type { Connection } from "mongoose";
import {
  type AccountsFile,
  type WechatAccount,
  type WeiboAccount,
  readAccountsFile,
  readSecret,
} from "./accounts";
import type { NewmediaConfig } from "./config";
import { recordFirstStart } from "./account-starts";
import { type AccountView, accountView, quotaWarnings } from "./account-view";
import { mergeExposition, newmediaGauges } from "./metrics";
import {
  type AccountOutlet,
  CHANNEL,
  type Platform,
  accountAdapter,
  accountPolicy,
} from "./outlets";
import { type OperatorTask, type Publisher, hasTasks } from "./publisher";
import { parsePublishJobFinish, signedByPlatform } from "./wechat-events";

/** What a pipeline is built from: the account, the portal, the channel's database, a clock. */
export interface PublisherOptions<A> {
  account: A;
  portalBaseUrl: string;
  db: Connection;
  logger: Logger;
  now: () => number;
  pollIntervalMs: number;
}

/** How the service builds each platform's pipeline (the real clients, or another in a test). */
export interface PublisherFactories {
  wechat(options: PublisherOptions<WechatAccount>): Publisher;
  weibo(options: PublisherOptions<WeiboAccount>): Publisher;
}

export interface NewmediaOptions {
  factories: PublisherFactories;
  /** The clock of freshness and quota days; default Date.now. */
  now?: () => number;
  /** Where redeliveries read current states; default a client of CHANNEL_CONTENT_GRPC. */
  content?: CurrentStateSource;
  /** The accounts; default read from NEWMEDIA_ACCOUNTS_FILE. */
  accounts?: AccountsFile;
}

interface RunningOutlet extends AccountOutlet {
  readonly publisher: Publisher;
  readonly runtime: ChannelRuntime;
  /** When the account's outlet first started: freshness counts from it until a first post. */
  readonly firstStartedAt: Date;
}

export interface NewmediaService {
  readonly outlets: readonly { outletId: string; runtime: ChannelRuntime; publisher: Publisher }[];
  ready(): { ok: boolean; detail: string };
  metricsText(): string;
  /** Every account, with its open operator tasks counted now. */
  accounts(): Promise<AccountView[]>;
  tasks(state: "open" | "all"): Promise<OperatorTask[]>;
  /**
   * An operator took a post down by hand: the task closes (the pipeline checks the
   * platform first) and the item is redelivered to the account, which now completes
   * the takedown and sends its receipt.
   */
  completeTask(outletId: string, itemId: string, by: string): Promise<OperatorTask>;
  /**
   * A push from WeChat to the account's server URL, signed with the account's
   * event token: true when its signature holds (a PUBLISHJOBFINISH is handed to
   * the account's pipeline, any other event is ignored). Unknown accounts and
   * accounts without a token are 404.
   */
  wechatPush(account: string, query: URLSearchParams, xml: string): boolean;
  stop(): Promise<void>;
}

/** A request an operator made that cannot be carried out, with an HTTP status and a code. */
export class NewmediaRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Starts one channel-runtime outlet per configured account, each with its own
 * pipeline, on the channel `newmedia`. Accounts start one after another, so a
 * wrong credential file names its account before anything else runs.
 */
export async function startNewmedia(
  config: NewmediaConfig,
  logger: Logger,
  options: NewmediaOptions,
): Promise<NewmediaService> {
  const now = options.now ?? Date.now;
  const file = options.accounts ?? readAccountsFile(config.NEWMEDIA_ACCOUNTS_FILE);
  const db = await connectMongo({
    url: config.MONGO_URL,
    dbName: config.NEWMEDIA_DB,
    logger,
    appName: "herald-newmedia",
  });
  const kafka = createKafkaClient({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID,
    logger,
  });
  const producer: HeraldProducer = createProducer(kafka, {
    logger,
    ...(config.HERALD_TOPIC_PREFIX ? { topicPrefix: config.HERALD_TOPIC_PREFIX } : {}),
  });
  await producer.connect();
  const outlets: RunningOutlet[] = [];
  const stopAll = async () => {
    for (const outlet of outlets.splice(0).reverse()) {
      await outlet.runtime.stop().catch(() => undefined);
      await outlet.publisher.close().catch(() => undefined);
    }
    await producer.disconnect().catch(() => undefined);
    await db.close().catch(() => undefined);
  };

  const planned: { platform: Platform; account: WechatAccount | WeiboAccount }[] = [
    ...file.wechat.map((account) => ({ platform: "wechat" as const, account })),
    ...file.weibo.map((account) => ({ platform: "weibo" as const, account })),
  ];
  try {
    for (const [index, { platform, account }] of planned.entries()) {
      const policy = accountPolicy(platform, account);
      const outletId = policy.outletId!;
      const log = logger.child({ outletId });
      const firstStartedAt = await recordFirstStart(db, outletId, now());
      const common = {
        portalBaseUrl: file.portalBaseUrl,
        db,
        logger: log,
        now,
        pollIntervalMs: config.NEWMEDIA_WECHAT_POLL_MS,
      };
      const publisher =
        platform === "wechat"
          ? options.factories.wechat({ ...common, account: account as WechatAccount })
          : options.factories.weibo({ ...common, account: account as WeiboAccount });
      // Each account's inventory on a port of its own: the first one's, then the next ones.
      const port = config.CHANNEL_INVENTORY_PORT === 0 ? 0 : config.CHANNEL_INVENTORY_PORT + index;
      const runtime = await startChannel({
        adapter: accountAdapter(policy, publisher),
        config: {
          ...config,
          CHANNEL_INVENTORY_PORT: port,
          // Each account has its own database and consumer group: the runtime's defaults
          // (herald_newmedia_wechat_<account>), or the configured names with the outlet after them.
          CHANNEL_DB: config.CHANNEL_DB && `${config.CHANNEL_DB}_${outletId.replace(/\W/g, "_")}`,
          CHANNEL_GROUP:
            config.CHANNEL_GROUP && `${config.CHANNEL_GROUP}-${outletId.replace(/\W/g, "-")}`,
        },
        logger,
        ...(options.content ? { content: options.content } : {}),
      }).catch(async (error: unknown) => {
        await publisher.close().catch(() => undefined);
        throw error;
      });
      outlets.push({ outletId, platform, account, policy, publisher, runtime, firstStartedAt });
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  logger.info({ accounts: outlets.map((o) => o.outletId) }, "newmedia started");

  // Each WeChat account's event token, read once: pushes are checked against it.
  const eventTokens = new Map(
    outlets.flatMap((o) =>
      o.platform === "wechat" && (o.account as WechatAccount).eventTokenFile
        ? [[o.account.account, readSecret((o.account as WechatAccount).eventTokenFile!)] as const]
        : [],
    ),
  );

  const warned = new Set<string>();
  const quotaTimer = setInterval(() => {
    countTasks().catch((error: unknown) =>
      logger.warn({ err: error }, "could not count the open operator tasks"),
    );
    for (const outlet of outlets) {
      for (const warning of quotaWarnings(outlet, config.NEWMEDIA_QUOTA_WARNING_PERCENT, now())) {
        if (warned.has(warning.key)) continue;
        warned.add(warning.key);
        logger.warn({ outletId: outlet.outletId, ...warning.quota }, warning.message);
      }
    }
  }, 30_000);
  quotaTimer.unref();

  // Open tasks are read from the database: counted when accounts are listed and
  // every half minute, and the metrics show the last count.
  const openTasks = new Map<string, number>();
  const countTasks = async () => {
    for (const outlet of outlets) {
      if (!hasTasks(outlet.publisher)) continue;
      const tasks = await outlet.publisher.tasks();
      openTasks.set(outlet.outletId, tasks.filter((t) => !t.doneAt).length);
    }
  };
  const views = () =>
    outlets.map((outlet) => ({
      ...accountView(outlet, outlet.runtime, config.NEWMEDIA_QUOTA_WARNING_PERCENT, now()),
      openTasks: openTasks.get(outlet.outletId) ?? 0,
    }));

  return {
    outlets,
    ready() {
      const waiting = outlets
        .map((o) => ({ outletId: o.outletId, readiness: o.runtime.ready() }))
        .filter((o) => !o.readiness.ok);
      return waiting.length === 0
        ? { ok: true, detail: `${outlets.length} accounts` }
        : {
            ok: false,
            detail: waiting.map((o) => `${o.outletId}: ${o.readiness.detail}`).join("; "),
          };
    },
    metricsText: () =>
      mergeExposition([...outlets.map((o) => o.runtime.metricsText()), newmediaGauges(views())]),
    async accounts() {
      await countTasks();
      return views();
    },
    async tasks(state) {
      const lists = await Promise.all(
        outlets.map((o) =>
          hasTasks(o.publisher) ? o.publisher.tasks() : Promise.resolve<OperatorTask[]>([]),
        ),
      );
      return lists
        .flat()
        .filter((task) => state === "all" || !task.doneAt)
        .sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime());
    },
    async completeTask(outletId, itemId, by) {
      const outlet = outlets.find((o) => o.outletId === outletId);
      if (!outlet) {
        throw new NewmediaRequestError(404, "account.not_found", `没有账号 ${outletId}`);
      }
      if (!hasTasks(outlet.publisher)) {
        throw new NewmediaRequestError(
          404,
          "task.not_found",
          `${outletId} 的撤稿由平台接口完成，没有人工任务`,
        );
      }
      const task = await outlet.publisher.completeTask(itemId, by);
      await producer.send(Topics.redeliver, [
        {
          key: `${CHANNEL}/${itemId}`,
          value: {
            channel: CHANNEL,
            outletId,
            itemId,
            version: 0,
            reason: `operator task done: ${task.id}`,
            requestedBy: by,
            requestedAt: new Date(now()),
          },
        },
      ]);
      await countTasks();
      return task;
    },
    wechatPush(account, query, xml) {
      const token = eventTokens.get(account);
      const outlet = outlets.find((o) => o.outletId === `wechat:${account}`);
      if (!token || !outlet) {
        throw new NewmediaRequestError(
          404,
          "account.no_events",
          `wechat:${account} takes no pushes: no such account, or it has no eventTokenFile`,
        );
      }
      if (!signedByPlatform(token, query)) return false;
      const event = parsePublishJobFinish(xml);
      if (event) outlet.publisher.onPublishEvent?.(event);
      return true;
    },
    async stop() {
      clearInterval(quotaTimer);
      await stopAll();
    },
  };
}
