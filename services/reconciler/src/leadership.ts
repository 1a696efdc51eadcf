import type { Logger } from "@herald/runtime";
import type { mongo } from "mongoose";

interface LeaseDocument {
  _id: string;
  holder: string;
  expiresAt: Date;
}

interface TermDocument {
  _id: string;
  holder: string;
  at: Date;
}

/** Thrown by a write of a reconciler that is no longer the leader. */
export class DeposedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeposedError";
  }
}

export interface LeadershipOptions {
  readonly db: mongo.Db;
  /** This instance's name, shown to operators on the standby. */
  readonly instance: string;
  /** How long a lease lasts without renewal. */
  readonly ttlMs: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

const LEASE = "reconciler";
const TERM_PREFIX = "term:";

/**
 * Which reconciler acts. A lease in `leases` says who should; FerretDB has no
 * compare-and-set, so two instances may both believe they hold it for a moment.
 * Safety rests on the term: each new leader inserts `term:<n+1>` into `terms`,
 * and of two instances that try the same n, the unique `_id` lets one in. A
 * leader whose term is no longer the newest, or whose lease ran out on its own
 * clock, is deposed and stops writing (`check`). Kafka fences its producer
 * separately (see ADR 005).
 */
export class Leadership {
  private readonly leases: mongo.Collection<LeaseDocument>;
  private readonly terms: mongo.Collection<TermDocument>;
  private readonly now: () => number;
  /** This instance's term while it leads; 0 otherwise. */
  term = 0;
  /** Until when (own clock) this instance may write: the last renewal plus four fifths of the TTL. */
  private heldUntil = 0;

  constructor(private readonly options: LeadershipOptions) {
    this.leases = options.db.collection<LeaseDocument>("leases");
    this.terms = options.db.collection<TermDocument>("terms");
    this.now = options.now ?? Date.now;
  }

  get instance(): string {
    return this.options.instance;
  }

  /** Who holds an unexpired lease, if anyone (for the standby's message). */
  async holder(): Promise<string | undefined> {
    const lease = await this.leases.findOne({ _id: LEASE });
    return lease && lease.expiresAt.getTime() > this.now() ? lease.holder : undefined;
  }

  /**
   * Takes the lease when it is free or expired, then a new term. True when this
   * instance leads afterwards.
   */
  async acquire(): Promise<boolean> {
    if (!(await this.takeLease())) return false;
    const newest = await this.newestTerm();
    const term = newest + 1;
    try {
      await this.terms.insertOne({
        _id: `${TERM_PREFIX}${term}`,
        holder: this.options.instance,
        at: new Date(this.now()),
      });
    } catch (error) {
      if ((error as { code?: number }).code === 11000) return false; // another took it first
      throw error;
    }
    this.term = term;
    this.options.logger.info({ term, instance: this.options.instance }, "leading");
    return true;
  }

  /** Renews the lease; false (and no longer leading) when another instance holds it. */
  async renew(): Promise<boolean> {
    if (this.term === 0) return false;
    const held = await this.takeLease();
    if (!held || (await this.newerTerm())) {
      this.term = 0;
      this.heldUntil = 0;
      return false;
    }
    return true;
  }

  /**
   * Throws DeposedError unless this instance still leads: its lease has not run
   * out on its own clock, and no newer term exists. Called before every write
   * that matters; one read by `_id`.
   */
  async check(): Promise<void> {
    if (this.term === 0) throw new DeposedError("not the leader");
    if (this.now() >= this.heldUntil) {
      throw new DeposedError(`the lease of term ${this.term} ran out before it was renewed`);
    }
    const newer = await this.newerTerm();
    if (newer) {
      throw new DeposedError(`term ${this.term} was succeeded by ${newer.holder}'s`);
    }
  }

  /** Whether the lease still holds on this instance's own clock, without asking the database. */
  heldLocally(): boolean {
    return this.term > 0 && this.now() < this.heldUntil;
  }

  /** Gives the lease up (a leader that stops), so a standby need not wait for it to expire. */
  async release(): Promise<void> {
    this.term = 0;
    this.heldUntil = 0;
    await this.leases.deleteOne({ _id: LEASE, holder: this.options.instance });
  }

  private async newerTerm(): Promise<TermDocument | null> {
    return this.terms.findOne({ _id: `${TERM_PREFIX}${this.term + 1}` });
  }

  /** The highest term taken so far: the collection holds one small document per leader change. */
  private async newestTerm(): Promise<number> {
    let newest = 0;
    for await (const doc of this.terms.find({}, { projection: { _id: 1 } })) {
      const n = Number(doc._id.slice(TERM_PREFIX.length));
      if (Number.isInteger(n) && n > newest) newest = n;
    }
    return newest;
  }

  private async takeLease(): Promise<boolean> {
    const now = this.now();
    const expiresAt = new Date(now + this.options.ttlMs);
    const me = this.options.instance;
    const current = await this.leases.findOne({ _id: LEASE });
    if (!current) {
      try {
        await this.leases.insertOne({ _id: LEASE, holder: me, expiresAt });
      } catch (error) {
        if ((error as { code?: number }).code === 11000) return false;
        throw error;
      }
    } else {
      if (current.holder !== me && current.expiresAt.getTime() > now) return false;
      await this.leases.replaceOne({ _id: LEASE }, { holder: me, expiresAt });
      // Read back: of two instances that both saw it expired, the last writer keeps it.
      const after = await this.leases.findOne({ _id: LEASE });
      if (after?.holder !== me) return false;
    }
    // Counted from before the first read, less a fifth for clocks that differ: this
    // instance stops writing before any other could take the lease.
    this.heldUntil = now + this.options.ttlMs - Math.ceil(this.options.ttlMs / 5);
    return true;
  }
}
