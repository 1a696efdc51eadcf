import type { Holding, ItemState } from "@herald/contracts";
import { type ConnectOutletOptions, type OutletHandle, connectOutlet } from "@herald/outlet-sdk";

/** An outlet on the SDK that keeps its holdings in memory and records every delivery it got. */
export class MemoryOutlet {
  /** What the outlet holds; pass a map to share it with a restarted instance (its "disk"). */
  readonly held: Map<string, Holding>;
  readonly applied: { id: string; version: number; backfill: boolean; attempt: number }[] = [];
  readonly removed: string[] = [];
  /** When each item was last applied (ms since the epoch). */
  readonly appliedAt = new Map<string, number>();
  inFlight = 0;
  maxInFlight = 0;
  handle!: OutletHandle;

  constructor(
    private readonly options: Omit<ConnectOutletOptions, "apply" | "remove" | "holdings"> & {
      applyDelayMs?: number;
      held?: Map<string, Holding>;
    },
  ) {
    this.held = options.held ?? new Map<string, Holding>();
  }

  start(): this {
    this.handle = connectOutlet({
      reconnect: { initialMs: 100, maxMs: 500 },
      ...this.options,
      apply: (state, context) =>
        this.track(() => {
          this.applied.push({
            id: state.id,
            version: state.version,
            backfill: context.backfill,
            attempt: context.attempt,
          });
          this.hold(state);
          this.appliedAt.set(state.id, Date.now());
          return Promise.resolve({ externalRef: `mem:${state.id}` });
        }),
      remove: (state) =>
        this.track(() => {
          this.removed.push(state.id);
          this.held.delete(state.id);
          return Promise.resolve();
        }),
      holdings: ({ pageToken, pageSize }) => {
        const sorted = [...this.held.values()].sort((a, b) => (a.itemId < b.itemId ? -1 : 1));
        const from = pageToken ? sorted.findIndex((h) => h.itemId > pageToken) : 0;
        const page = from < 0 ? [] : sorted.slice(from, from + pageSize);
        const more = from >= 0 && from + pageSize < sorted.length;
        return Promise.resolve({
          holdings: page,
          nextPageToken: more ? page.at(-1)!.itemId : "",
        });
      },
    });
    return this;
  }

  private hold(state: ItemState): void {
    this.held.set(state.id, {
      itemId: state.id,
      version: state.version,
      checksum: state.checksum,
      externalRef: `mem:${state.id}`,
      status: state.status,
      appliedAt: new Date(),
    });
  }

  private async track<T>(work: () => Promise<T>): Promise<T> {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.options.applyDelayMs) {
        await new Promise((r) => setTimeout(r, this.options.applyDelayMs));
      }
      return await work();
    } finally {
      this.inFlight -= 1;
    }
  }
}
