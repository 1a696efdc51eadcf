import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Holding, ItemState } from "@herald/outlet-sdk";

/** One notice as the port system keeps it: what a trader reads, and what the audit asks. */
export interface Notice {
  itemId: string;
  kind: "notice" | "policy-document";
  version: number;
  checksum: string;
  status: number;
  title: string;
  summary: string;
  issuingOffice: string;
  documentNumber: string;
  /** YYYY-MM-DD, or "" when the item has no effective date. */
  effectiveAt: string;
  externalRef: string;
  appliedAt: string;
  /** How many deliveries changed this notice. */
  applies: number;
}

/** YYYY-MM-DD in Asia/Shanghai (UTC+8, no DST): Herald's dates are midnight there. */
function chinaDate(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

interface NoticeFile {
  notices: Record<string, Notice>;
}

/**
 * The notices, in memory and in one JSON file. Every change is written to a
 * temporary file renamed over the old one, so a crash leaves the old file or the
 * new one, never half of one; changes that arrive while a write runs share the
 * next write.
 */
export class NoticeStore {
  private readonly notices = new Map<string, Notice>();
  private writing: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  private constructor(readonly file: string) {}

  static async open(file: string): Promise<NoticeStore> {
    const store = new NoticeStore(file);
    await mkdir(dirname(file), { recursive: true });
    try {
      const saved = JSON.parse(await readFile(file, "utf8")) as NoticeFile;
      for (const notice of Object.values(saved.notices)) store.notices.set(notice.itemId, notice);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        throw new Error(`${file}: not a notices file (${(error as Error).message})`);
      }
    }
    return store;
  }

  get(itemId: string): Notice | undefined {
    return this.notices.get(itemId);
  }

  /** Newest effective date first, then by id. */
  all(): Notice[] {
    return [...this.notices.values()].sort(
      (a, b) => b.effectiveAt.localeCompare(a.effectiveAt) || a.itemId.localeCompare(b.itemId),
    );
  }

  async put(state: ItemState, kind: Notice["kind"], externalRef: string): Promise<Notice> {
    const held = this.notices.get(state.id);
    const notice: Notice = {
      itemId: state.id,
      kind,
      version: state.version,
      checksum: state.checksum,
      status: state.status,
      title: state.title,
      summary: state.summary,
      issuingOffice: state.issuingOffice,
      documentNumber: state.documentNumber,
      effectiveAt: state.dates?.effectiveAt ? chinaDate(state.dates.effectiveAt) : "",
      externalRef,
      appliedAt: new Date().toISOString(),
      applies: (held?.applies ?? 0) + 1,
    };
    this.notices.set(state.id, notice);
    await this.save();
    return notice;
  }

  async delete(itemId: string): Promise<void> {
    if (this.notices.delete(itemId)) await this.save();
  }

  /** One page in item id order after `pageToken`. */
  page(pageToken: string, pageSize: number): { holdings: Holding[]; nextPageToken: string } {
    const ids = [...this.notices.keys()].filter((id) => id > pageToken).sort();
    const page = ids.slice(0, pageSize).map((id) => this.notices.get(id)!);
    return {
      holdings: page.map((n) => ({
        itemId: n.itemId,
        version: n.version,
        checksum: n.checksum,
        externalRef: n.externalRef,
        status: n.status,
        appliedAt: new Date(n.appliedAt),
      })),
      nextPageToken: ids.length > pageSize ? page.at(-1)!.itemId : "",
    };
  }

  /** Resolves once the file holds every change made before the call. */
  private save(): Promise<void> {
    if (!this.writing) {
      this.writing = this.write().finally(() => (this.writing = undefined));
      return this.writing;
    }
    // A failed write fails only its own callers; the next write starts afresh.
    this.next ??= this.writing
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.save();
      });
    return this.next;
  }

  private async write(): Promise<void> {
    const temporary = `${this.file}.${process.pid}.tmp`;
    const saved: NoticeFile = { notices: Object.fromEntries(this.notices) };
    await writeFile(temporary, JSON.stringify(saved, null, 1));
    await rename(temporary, this.file);
  }
}
