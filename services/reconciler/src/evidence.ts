/**
 * What the reconciler knows of one item on one channel: the last receipt, the
 * last audit that listed it, the last failure and the first confirmed delivery of
 * each version. One mutable object per (channel, item), kept flat and small:
 * 600,000 of them must fit comfortably.
 */
export interface Cell {
  readonly itemId: string;
  /**
   * Last DELIVERED or REMOVED receipt: version, checksum, whether held, when the
   * reconciler read it (its own clock, comparable with audit times) and when the
   * channel sent it (the channel's clock, for delivery times).
   */
  receiptVersion: number;
  receiptChecksum: string;
  receiptHeld: boolean;
  receiptAt: number;
  receiptSentAt: number;
  externalRef: string;
  /** Last FAILED, REJECTED or DECLINED receipt, for the version it names. */
  troubleVersion: number;
  troubleOutcome: "" | "failed" | "rejected" | "declined";
  troubleCode: string;
  troubleMessage: string;
  troubleAt: number;
  /** The audit sequence that last listed the item, and what it listed. */
  auditSeq: number;
  auditVersion: number;
  auditChecksum: string;
  /** First confirmed delivery of `deliveredVersion`, the time it took and whether it met its deadline. */
  deliveredVersion: number;
  deliveredAt: number;
  deliveryMs: number;
  /** 1 on time, 0 late, -1 no deadline. */
  onTime: -1 | 0 | 1;
}

export function newCell(itemId: string): Cell {
  return {
    itemId,
    receiptVersion: 0,
    receiptChecksum: "",
    receiptHeld: false,
    receiptAt: 0,
    receiptSentAt: 0,
    externalRef: "",
    troubleVersion: 0,
    troubleOutcome: "",
    troubleCode: "",
    troubleMessage: "",
    troubleAt: 0,
    auditSeq: 0,
    auditVersion: 0,
    auditChecksum: "",
    deliveredVersion: 0,
    deliveredAt: 0,
    deliveryMs: 0,
    onTime: -1,
  };
}

/** Where the audit of a channel stands: the last completed pass. */
export interface AuditMark {
  /** Sequence number of the last completed audit (0: never audited). */
  readonly seq: number;
  /** When it started: a receipt sent after this is newer evidence than the audit. */
  readonly startedAt: number;
  /**
   * Per partition of herald.items.v1, the offset below which the channel had
   * applied everything when the listing was taken. Absent when the channel cannot
   * tell: then every absence counts.
   */
  readonly consumed?: ReadonlyMap<number, number>;
}

/** What the channel holds, by the newest evidence. */
export type Holding =
  | { readonly known: false }
  | {
      readonly known: true;
      readonly present: boolean;
      readonly version: number;
      readonly checksum: string;
      readonly at: number;
      readonly source: "receipt" | "audit";
    };

const UNKNOWN: Holding = { known: false };

/**
 * The channel's holding of an item by the newest of two witnesses: its last
 * receipt (sent at `receiptAt`) and the last completed audit (which listed the
 * item, or did not). An audit newer than a receipt wins, so a channel that lost an
 * item after it sent the receipt is caught.
 */
export function currentHolding(cell: Cell | undefined, audit: AuditMark): Holding {
  const receipt: Holding =
    cell && cell.receiptAt > 0
      ? {
          known: true,
          present: cell.receiptHeld,
          version: cell.receiptVersion,
          checksum: cell.receiptChecksum,
          at: cell.receiptAt,
          source: "receipt",
        }
      : UNKNOWN;
  if (audit.seq === 0) return receipt;
  const listed = cell !== undefined && cell.auditSeq === audit.seq;
  const audited: Holding = {
    known: true,
    present: listed,
    version: listed ? cell.auditVersion : 0,
    checksum: listed ? cell.auditChecksum : "",
    at: audit.startedAt,
    source: "audit",
  };
  if (!receipt.known) return audited;
  return receipt.at > audit.startedAt ? receipt : audited;
}

/** Every cell of one channel, by item id. */
export class ChannelCells {
  private readonly cells = new Map<string, Cell>();

  get(itemId: string): Cell | undefined {
    return this.cells.get(itemId);
  }

  obtain(itemId: string): Cell {
    let cell = this.cells.get(itemId);
    if (!cell) {
      cell = newCell(itemId);
      this.cells.set(itemId, cell);
    }
    return cell;
  }

  values(): IterableIterator<Cell> {
    return this.cells.values();
  }

  get size(): number {
    return this.cells.size;
  }
}
