import * as grpc from "@grpc/grpc-js";
import {
  AnnouncementState,
  ContentServiceClient,
  type ListAnnouncementsRequest,
  type ListAnnouncementsResponse,
} from "@herald/contracts";
import type { Logger } from "@herald/runtime";
import type { Engine, PendingAnnouncement } from "./engine";

/** How the content service answered the last poll, for the overview. */
export interface ContentStatus {
  readonly address: string;
  readonly ok: boolean;
  /** When it last answered (or was last asked, when it did not). */
  readonly checkedAt: Date | undefined;
  readonly error?: string;
  /** Versions accepted and not yet on herald.items.v1, overdue or not. */
  readonly pending: number;
  /**
   * The content service's own readiness as it answered (its /readyz): unready
   * when its database or relay fails. Absent from a content service that does not
   * send it, and while it does not answer.
   */
  readonly readiness?: { readonly ready: boolean; readonly detail: string };
}

export interface AnnouncementWatchOptions {
  readonly engine: Engine;
  readonly logger: Logger;
  /** host:port of the content service's gRPC API. */
  readonly address: string;
  /** A token of role `channel`: ListAnnouncements is a read of public states. */
  readonly token: string;
  /** How long after acceptance a version may take to reach the stream. */
  readonly graceMs: number;
  readonly now: () => number;
  readonly callTimeoutMs?: number;
}

/**
 * Proof starts at acceptance: the content service's ListAnnouncements lists
 * every public version it has not announced on herald.items.v1 (queued for the
 * relay, or set aside with the relay's reason). Each poll replaces the engine's
 * list of those overdue by more than the grace period; the engine then shows
 * them as not announced on every channel, until the stream carries them.
 */
export class AnnouncementWatch {
  private readonly client: ContentServiceClient;
  private status: ContentStatus;

  constructor(private readonly options: AnnouncementWatchOptions) {
    this.client = new ContentServiceClient(options.address, grpc.credentials.createInsecure());
    this.status = { address: options.address, ok: false, checkedAt: undefined, pending: 0 };
  }

  contentStatus(): ContentStatus {
    return this.status;
  }

  /** Reads every pending announcement once and hands the overdue ones to the engine. */
  async poll(): Promise<void> {
    const { engine, graceMs, now } = this.options;
    try {
      const { listed, readiness } = await this.readAll();
      const at = now();
      const overdue: PendingAnnouncement[] = [];
      let pending = 0;
      for (const a of listed) {
        if (a.state === AnnouncementState.ANNOUNCEMENT_STATE_ANNOUNCED) continue;
        const acceptedAt = a.acceptedAt?.getTime() ?? at;
        // The stream may already carry it: the listing and the stream race.
        if ((engine.expected.get(a.itemId)?.version ?? 0) >= a.version) continue;
        pending += 1;
        if (at - acceptedAt < graceMs) continue;
        overdue.push({
          itemId: a.itemId,
          version: a.version,
          acceptedAt,
          state:
            a.state === AnnouncementState.ANNOUNCEMENT_STATE_SET_ASIDE ? "set-aside" : "queued",
          reason: a.reason,
        });
      }
      engine.setNotAnnounced(overdue);
      this.status = {
        address: this.options.address,
        ok: true,
        checkedAt: new Date(at),
        pending,
        ...(readiness ? { readiness: { ready: readiness.ready, detail: readiness.detail } } : {}),
      };
    } catch (error) {
      // Without an answer nothing is known: keep the last list rather than clear the findings.
      const message = grpcMessage(error);
      this.options.logger.warn({ err: error }, "could not list announcements");
      this.status = {
        address: this.options.address,
        ok: false,
        checkedAt: new Date(now()),
        error: message,
        pending: this.status.pending,
      };
    }
  }

  private async readAll(): Promise<{
    listed: ListAnnouncementsResponse["announcements"];
    readiness: ListAnnouncementsResponse["readiness"];
  }> {
    const listed: ListAnnouncementsResponse["announcements"] = [];
    let readiness: ListAnnouncementsResponse["readiness"];
    let pageToken = "";
    do {
      const page = await this.page({ updatedSince: undefined, pageSize: 1000, pageToken });
      listed.push(...page.announcements);
      // Sent with the first page only.
      readiness ??= page.readiness;
      pageToken = page.nextPageToken;
    } while (pageToken);
    return { listed, readiness };
  }

  private page(request: ListAnnouncementsRequest): Promise<ListAnnouncementsResponse> {
    const metadata = new grpc.Metadata();
    metadata.set("authorization", `Bearer ${this.options.token}`);
    const deadline = new Date(Date.now() + (this.options.callTimeoutMs ?? 10_000));
    return new Promise((resolve, reject) =>
      this.client.listAnnouncements(request, metadata, { deadline }, (error, response) =>
        error ? reject(error) : resolve(response),
      ),
    );
  }

  close(): void {
    this.client.close();
  }
}

function grpcMessage(error: unknown): string {
  if (error && typeof error === "object" && "code" in error && "details" in error) {
    const e = error as grpc.ServiceError;
    return `${grpc.status[e.code] ?? e.code}: ${e.details}`;
  }
  return error instanceof Error ? error.message : String(error);
}
