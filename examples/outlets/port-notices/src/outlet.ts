import {
  ItemKind,
  OutletDecline,
  type OutletHandle,
  type OutletLogger,
  connectOutlet,
} from "@herald/outlet-sdk";
import { serveListing } from "./listing";
import { type Notice, NoticeStore } from "./store";

const KEPT: Partial<Record<ItemKind, Notice["kind"]>> = {
  [ItemKind.ITEM_KIND_NOTICE]: "notice",
  [ItemKind.ITEM_KIND_POLICY_DOCUMENT]: "policy-document",
};

export interface PortNoticesOptions {
  /** host:port of the outlet gateway. */
  gateway: string;
  credential: string;
  /** The registered outlet name; default "port-notices". */
  outlet?: string;
  /** The JSON file the notices are kept in. */
  file: string;
  /** Where the listing listens; port 0 picks a free one. */
  listen?: { host: string; port: number };
  credit?: number;
  logger?: OutletLogger;
  reconnect?: { initialMs?: number; maxMs?: number };
}

export interface PortNotices {
  readonly outlet: OutletHandle;
  readonly store: NoticeStore;
  readonly listingPort: number;
  close(): Promise<void>;
}

/** Starts the port-notices outlet: its store, its listing, and its stream to the gateway. */
export async function startPortNotices(options: PortNoticesOptions): Promise<PortNotices> {
  const store = await NoticeStore.open(options.file);
  const listen = options.listen ?? { host: "127.0.0.1", port: 8791 };
  const listing = await serveListing(store, listen.host, listen.port);
  const outlet = connectOutlet({
    gateway: options.gateway,
    credential: options.credential,
    outlet: options.outlet ?? "port-notices",
    // Empty: the registration as it is. Kinds this system does not show are
    // declined one by one, so each receipt says why.
    policy: {},
    ...(options.credit === undefined ? {} : { credit: options.credit }),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.reconnect ? { reconnect: options.reconnect } : {}),
    userAgent: "port-notices example (@herald/outlet-sdk)",
    async apply(state) {
      const kind = KEPT[state.kind];
      if (!kind) {
        throw new OutletDecline(
          "port-notices.kind-not-kept",
          `${ItemKind[state.kind]}: the port system shows only notices and policy documents`,
        );
      }
      const externalRef = `http://${listen.host}:${listing.port}/#${encodeURIComponent(state.id)}`;
      const held = store.get(state.id);
      // A redelivery of what is held, or a replay of an older version: nothing to write.
      if (held && held.version >= state.version) return { externalRef: held.externalRef };
      await store.put(state, kind, externalRef);
      return { externalRef };
    },
    async remove(state) {
      await store.delete(state.id);
    },
    holdings: ({ pageToken, pageSize }) => Promise.resolve(store.page(pageToken, pageSize)),
  });
  return {
    outlet,
    store,
    listingPort: listing.port,
    async close() {
      await outlet.close();
      await new Promise<void>((resolve) => listing.server.close(() => resolve()));
    },
  };
}
