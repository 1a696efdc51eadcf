/**
 * Herald's services for a test (`@herald/test-harness/services`): the content
 * service, then any channels (the portal) and the reconciler, in this process, on
 * the test's own topics and databases, with token files in the one format of
 * @herald/runtime, each stopped through `ns.beforeCleanup` (last started, first
 * stopped) before the namespace's clean-up drops the databases.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ChannelAdapter,
  type ChannelRuntime,
  channelEnv,
  createContentClient,
  startChannel,
} from "@herald/channel-kit";
import { testChannelEnv } from "@herald/channel-kit/testing";
import type { ContentService } from "@herald/content";
import { type TestUser, startTestContentService } from "@herald/content/testing";
import type { PortalService } from "@herald/portal";
import { TEST_INVENTORY_TOKEN, startTestPortal } from "@herald/portal/testing";
import type { ReconcilerService } from "@herald/reconciler";
import { TEST_OPERATOR_TOKEN, startTestReconciler } from "@herald/reconciler/testing";
import {
  type Logger,
  createLogger,
  loadConfig,
  tokenFileOf,
  writeSecretFile,
  writeTokenFile,
} from "@herald/runtime";
import { type TestNamespace, testStack } from "./index";

export type { TestUser } from "@herald/content/testing";
export type { ContentService, PortalService, ReconcilerService };

/** Where the services run: a test namespace, or a stack of a test's own with the same names. */
export type ServicePlace = Pick<
  TestNamespace,
  "topicPrefix" | "dbName" | "groupId" | "beforeCleanup"
>;

/** The plain tokens the services accept; the token files hold their hashes. */
export interface FixtureTokens {
  /** Content role `admin`: publishes without review. */
  admin: string;
  /** Content role `channel`, the portal's: it reads the current state of items to redeliver. */
  portal: string;
  /** Content role `channel`, the reconciler's: it asks which versions are announced. */
  reconciler: string;
  /** Content role `channel`, for channels built on channel-kit in a test (`startChannel`). */
  channel: string;
  /** What every channel's inventory accepts, and the reconciler audits with. */
  inventory: string;
  /** The reconciler's role `operator`: its API, dashboard and gRPC. */
  operator: string;
}

/** The token files the services read, and read again when they change (rotation). */
export interface FixtureTokenFiles {
  content: string;
  inventory: string;
  operator: string;
  /** The reconciler's own content token, alone (a client's secret, not a token file). */
  reconcilerContent: string;
}

export interface PortalOptions {
  /** Database name within the namespace; default "portal". */
  db?: string;
  /** Consumer group name within the namespace; default "portal". */
  group?: string;
  /** More environment, e.g. CHANNEL_CHUNK_SIZE. */
  env?: Record<string, string>;
  wrapAdapter?: (adapter: ChannelAdapter) => ChannelAdapter;
  /** False: no content client (redeliveries cannot fetch the current state). */
  content?: boolean;
}

/** A channel built on channel-kit with a test's adapter (e.g. a RecordingChannel). */
export interface ChannelOptions {
  adapter: ChannelAdapter;
  /** Database name within the namespace; default the adapter's policy name. */
  db?: string;
  /** Consumer group name within the namespace; default the adapter's policy name. */
  group?: string;
  /** More environment, e.g. CHANNEL_RETRY_DEFERRED. */
  env?: Record<string, string>;
}

export interface ReconcilerOptions {
  /** Database name within the namespace; default "reconciler". */
  db?: string;
  /** Receipts' consumer group within the namespace; default "reconciler". */
  group?: string;
  /** More environment, e.g. RECONCILER_CHANNELS or RECONCILER_REPAIR_CAP. */
  env?: Record<string, string>;
  /** Ask the content service which versions are announced (its `reconciler` token). */
  followContent?: boolean;
  now?: () => number;
  random?: () => number;
}

export interface HeraldServicesOptions {
  /** Default: the test stack (KAFKA_BROKERS and MONGO_URL from global setup). */
  stack?: { brokers: readonly string[]; mongoUrl: string };
  logger?: Logger;
  /** Replace any of the default tokens. */
  tokens?: Partial<FixtureTokens>;
  content?: {
    /** Content users besides admin, portal and reconciler. */
    users?: Record<string, TestUser>;
    env?: Record<string, string>;
    now?: () => Date;
  };
  /** Start the portal after content (true, or its options). */
  portal?: boolean | PortalOptions;
  /** Start these channels after the portal. */
  channels?: readonly ChannelOptions[];
  /** Start the reconciler after the channels (true, or its options). */
  reconciler?: boolean | ReconcilerOptions;
}

export interface HeraldServices {
  readonly content: ContentService;
  /** The portal started with the fixture; throws when none was asked for. */
  readonly portal: PortalService;
  /** The reconciler started with the fixture; throws when none was asked for. */
  readonly reconciler: ReconcilerService;
  /** The channels of `options.channels`, in order. */
  readonly channels: readonly ChannelRuntime[];
  readonly tokens: FixtureTokens;
  readonly tokenFiles: FixtureTokenFiles;
  /** http://127.0.0.1:<port> of the content service's API. */
  readonly contentUrl: string;
  /** Starts (another) portal on this content service, stopped before it. */
  startPortal(options?: PortalOptions): Promise<PortalService>;
  /** Starts a channel on channel-kit with the test's adapter, stopped before content. */
  startChannel(options: ChannelOptions): Promise<ChannelRuntime>;
  /** Starts (another) reconciler, stopped before the channels and content. */
  startReconciler(options?: ReconcilerOptions): Promise<ReconcilerService>;
  /** The environment that points the herald CLI at these services, as admin and operator. */
  cliEnv(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
}

const DEFAULT_TOKENS: FixtureTokens = {
  admin: "fixture-admin-token",
  portal: "fixture-portal-content-token",
  reconciler: "fixture-reconciler-content-token",
  channel: "fixture-channel-content-token",
  inventory: TEST_INVENTORY_TOKEN,
  operator: TEST_OPERATOR_TOKEN,
};

const optionsOf = <T extends object>(value: boolean | T | undefined): T | undefined =>
  value === undefined || value === false ? undefined : value === true ? ({} as T) : value;

function writeTokenFiles(
  tokens: FixtureTokens,
  users: Record<string, TestUser>,
): FixtureTokenFiles {
  const dir = mkdtempSync(join(tmpdir(), "herald-fixture-tokens-"));
  const files = {
    content: join(dir, "content-tokens.json"),
    inventory: join(dir, "inventory-tokens.json"),
    operator: join(dir, "operator-tokens.json"),
    reconcilerContent: join(dir, "reconciler-content-token"),
  };
  writeSecretFile(files.reconcilerContent, tokens.reconciler);
  writeTokenFile(
    files.content,
    tokenFileOf({
      admin: { token: tokens.admin, roles: ["admin"] },
      portal: { token: tokens.portal, roles: ["channel"] },
      reconciler: { token: tokens.reconciler, roles: ["channel"] },
      channel: { token: tokens.channel, roles: ["channel"] },
      ...users,
    }),
  );
  writeTokenFile(files.inventory, tokenFileOf({ reconciler: { token: tokens.inventory } }));
  writeTokenFile(
    files.operator,
    tokenFileOf({ "test-operator": { token: tokens.operator, roles: ["operator"] } }),
  );
  return files;
}

/**
 * Starts the content service, then the portal, the test's channels and the reconciler if asked, with
 * tokens; each is registered with `place.beforeCleanup` as soon as it runs, so a
 * failure half-way still stops what started.
 */
export async function startHeraldServices(
  place: ServicePlace,
  options: HeraldServicesOptions = {},
): Promise<HeraldServices> {
  const stack = options.stack ?? testStack();
  const logger = options.logger ?? createLogger({ service: "herald-test", level: "silent" });
  const tokens: FixtureTokens = { ...DEFAULT_TOKENS, ...options.tokens };
  const tokenFiles = writeTokenFiles(tokens, options.content?.users ?? {});
  const common = {
    brokers: stack.brokers,
    mongoUrl: stack.mongoUrl,
    topicPrefix: place.topicPrefix,
  };

  const content = await startTestContentService({
    ...common,
    dbName: place.dbName("content"),
    // The fixture's token file, not one made from `users`: rotation tests rewrite it.
    users: {},
    env: { CONTENT_TOKENS_FILE: tokenFiles.content, ...options.content?.env },
    ...(options.content?.now ? { now: options.content.now } : {}),
    logger,
  });
  place.beforeCleanup(() => content.stop());
  const contentUrl = `http://127.0.0.1:${content.httpPort}`;
  let firstPortal: PortalService | undefined;
  let firstReconciler: ReconcilerService | undefined;
  const channels: ChannelRuntime[] = [];

  const services: HeraldServices = {
    content,
    get portal(): PortalService {
      if (!firstPortal) throw new Error("startHeraldServices: no portal was asked for");
      return firstPortal;
    },
    get reconciler(): ReconcilerService {
      if (!firstReconciler) throw new Error("startHeraldServices: no reconciler was asked for");
      return firstReconciler;
    },
    channels,
    tokens,
    tokenFiles,
    contentUrl,
    async startPortal(portalOptions: PortalOptions = {}) {
      const portal = await startTestPortal({
        ...common,
        dbName: place.dbName(portalOptions.db ?? "portal"),
        logger,
        ...(portalOptions.content === false
          ? {}
          : {
              content: createContentClient({
                address: `127.0.0.1:${content.grpcPort}`,
                token: tokens.portal,
              }),
            }),
        env: {
          CHANNEL_GROUP: place.groupId(portalOptions.group ?? "portal"),
          CHANNEL_INVENTORY_TOKENS_FILE: tokenFiles.inventory,
          ...portalOptions.env,
        },
        ...(portalOptions.wrapAdapter ? { wrapAdapter: portalOptions.wrapAdapter } : {}),
      });
      place.beforeCleanup(() => portal.stop());
      return portal;
    },
    async startChannel(channelOptions: ChannelOptions) {
      const name = channelOptions.adapter.policy.name;
      const runtime = await startChannel({
        adapter: channelOptions.adapter,
        config: loadConfig(channelEnv, {
          ...testChannelEnv({
            ...common,
            dbName: place.dbName(channelOptions.db ?? name),
            inventoryTokensFile: tokenFiles.inventory,
          }),
          CHANNEL_GROUP: place.groupId(channelOptions.group ?? name),
          ...channelOptions.env,
        }),
        logger,
        content: createContentClient({
          address: `127.0.0.1:${content.grpcPort}`,
          token: tokens.channel,
        }),
      });
      place.beforeCleanup(() => runtime.stop());
      return runtime;
    },
    async startReconciler(reconcilerOptions: ReconcilerOptions = {}) {
      const { now, random } = reconcilerOptions;
      const reconciler = await startTestReconciler({
        ...common,
        dbName: place.dbName(reconcilerOptions.db ?? "reconciler"),
        groupId: place.groupId(reconcilerOptions.group ?? "reconciler"),
        inventoryToken: tokens.inventory,
        logger,
        env: {
          RECONCILER_TOKENS_FILE: tokenFiles.operator,
          ...(reconcilerOptions.followContent
            ? {
                RECONCILER_CONTENT_ADDRESS: `127.0.0.1:${content.grpcPort}`,
                RECONCILER_CONTENT_TOKEN_FILE: tokenFiles.reconcilerContent,
              }
            : {}),
          ...reconcilerOptions.env,
        },
        ...(now ? { now } : {}),
        ...(random ? { random } : {}),
      });
      place.beforeCleanup(() => reconciler.stop());
      return reconciler;
    },
    cliEnv(extra: NodeJS.ProcessEnv = {}) {
      return {
        ...process.env,
        HERALD_CONTENT_URL: contentUrl,
        HERALD_TOKEN: tokens.admin,
        ...(firstReconciler
          ? {
              HERALD_RECONCILER_URL: `http://127.0.0.1:${firstReconciler.httpPort}`,
              HERALD_OPERATOR_TOKEN: tokens.operator,
            }
          : {}),
        ...extra,
      };
    },
  };
  const portalOptions = optionsOf(options.portal);
  if (portalOptions) firstPortal = await services.startPortal(portalOptions);
  for (const channel of options.channels ?? []) channels.push(await services.startChannel(channel));
  const reconcilerOptions = optionsOf(options.reconciler);
  if (reconcilerOptions) firstReconciler = await services.startReconciler(reconcilerOptions);
  return services;
}
