import { ValidationError } from "../domain/errors";
import type { PublicSummaries, PublicSummary } from "../store/public-summaries";
import type { SetAsideStore } from "../store/set-aside";

export type AnnouncementState = "announced" | "queued" | "set-aside";

/** One item's newest public version and whether herald.items.v1 carries it. */
export interface Announcement extends PublicSummary {
  state: AnnouncementState;
  /** For set-aside items: the relay's error. */
  reason?: string;
  /** When the item entered its state (for announced items: when the version was made). */
  since: Date;
}

export interface AnnouncementPage {
  announcements: Announcement[];
  /** Empty on the last page. */
  nextPageToken: string;
}

export const DEFAULT_ANNOUNCEMENT_PAGE = 1000;
export const MAX_ANNOUNCEMENT_PAGE = 5000;
/** Items read at once while looking up the pending ones. */
const LOOKUP_CONCURRENCY = 16;

/**
 * Where a listing stands: first the pending items (queued or set aside), by id,
 * then, with `updated_since`, the announced ones in order of their last public
 * change, as ListItems pages them.
 */
type Cursor = { phase: "pending"; after: string } | { phase: "announced"; at: Date; id: string };

function encodeCursor(cursor: Cursor): string {
  const plain =
    cursor.phase === "pending"
      ? { p: "q", id: cursor.after }
      : { p: "a", at: cursor.at.toISOString(), id: cursor.id };
  return Buffer.from(JSON.stringify(plain)).toString("base64url");
}

function decodeCursor(token: string): Cursor | undefined {
  if (!token) return undefined;
  try {
    const plain = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as {
      p?: unknown;
      id?: unknown;
      at?: unknown;
    };
    if (typeof plain.id !== "string") throw new Error("no id");
    if (plain.p === "q") return { phase: "pending", after: plain.id };
    const at = new Date(typeof plain.at === "string" ? plain.at : NaN);
    if (plain.p !== "a" || Number.isNaN(at.getTime())) throw new Error("bad phase");
    return { phase: "announced", at, id: plain.id };
  } catch {
    throw new ValidationError([
      { field: "page_token", rule: "page-token", message: "not a token from a previous response" },
    ]);
  }
}

/**
 * Lists announcements without the items' content. The pending items come from
 * the outbox and the set-aside collection, both short, each then read by `_id`;
 * the announced ones from the heads, projected to a few fields (FerretDB scans
 * that filter, as it does for ListItems).
 */
export async function listAnnouncements(
  summaries: PublicSummaries,
  setAside: SetAsideStore,
  request: { updatedSince?: Date; pageSize: number; pageToken: string },
): Promise<AnnouncementPage> {
  const pageSize = Math.min(request.pageSize || DEFAULT_ANNOUNCEMENT_PAGE, MAX_ANNOUNCEMENT_PAGE);
  const cursor = decodeCursor(request.pageToken) ?? { phase: "pending", after: "" };
  const [queued, aside] = await Promise.all([summaries.queued(), setAside.all()]);
  const pendingStates = new Map<
    string,
    { state: AnnouncementState; since: Date; reason?: string }
  >();
  for (const [id, at] of queued) pendingStates.set(id, { state: "queued", since: at });
  for (const doc of aside) {
    // A newer version queued after the item was set aside is still the set-aside item's problem.
    pendingStates.set(doc._id, { state: "set-aside", since: doc.setAsideAt, reason: doc.reason });
  }

  const announcements: Announcement[] = [];
  if (cursor.phase === "pending") {
    const ids = [...pendingStates.keys()].filter((id) => id > cursor.after).sort();
    const page = ids.slice(0, pageSize);
    const found = await mapLimit(page, LOOKUP_CONCURRENCY, (id) => summaries.of(id));
    page.forEach((id, i) => {
      const summary = found[i];
      if (summary) announcements.push({ ...summary, ...pendingStates.get(id)! });
    });
    if (ids.length > pageSize) {
      return {
        announcements,
        nextPageToken: encodeCursor({ phase: "pending", after: page.at(-1)! }),
      };
    }
    if (!request.updatedSince) return { announcements, nextPageToken: "" };
  }

  const room = pageSize - announcements.length;
  if (room === 0) {
    return {
      announcements,
      nextPageToken: encodeCursor({ phase: "announced", at: new Date(0), id: "" }),
    };
  }
  const after = cursor.phase === "announced" ? { at: cursor.at, id: cursor.id } : undefined;
  const listed = await summaries.list(request.updatedSince, after, room);
  for (const summary of listed) {
    // Pending items were listed in the first phase, with their state.
    if (!pendingStates.has(summary.id)) {
      announcements.push({ ...summary, state: "announced", since: summary.at });
    }
  }
  const last = listed.at(-1);
  return {
    announcements,
    nextPageToken:
      listed.length === room && last
        ? encodeCursor({ phase: "announced", at: last.at, id: last.id })
        : "",
  };
}

async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  });
  await Promise.all(workers);
  return results;
}
