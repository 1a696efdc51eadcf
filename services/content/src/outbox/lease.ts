import { type Connection, type Model, Schema } from "mongoose";

interface LeaseDoc {
  _id: string;
  holder: string;
  expiresAt: Date;
}

/**
 * A time-bound lease naming which instance does a job that must have one doer.
 * FerretDB has no compare-and-set, so two instances can both believe they hold
 * it for a moment; the job itself must be safe under that (the relay is: Kafka
 * fences all but the newest transactional producer). The lease only keeps the
 * instances from fencing each other all the time.
 */
export class Lease {
  private readonly leases: Model<LeaseDoc>;

  constructor(
    connection: Connection,
    private readonly name: string,
    private readonly holder: string,
    private readonly ttlMs: number,
  ) {
    this.leases = connection.model<LeaseDoc>(
      "Lease",
      new Schema<LeaseDoc>(
        { _id: String, holder: String, expiresAt: Date },
        { versionKey: false, collection: "leases" },
      ),
    );
  }

  private heldUntil = 0;

  /**
   * Takes or renews the lease; true when this instance holds it afterwards. A
   * lease with more than half its time left is not renewed, which spares the
   * database a write on every poll.
   */
  async acquire(now = new Date()): Promise<boolean> {
    if (now.getTime() < this.heldUntil - this.ttlMs / 2) return true;
    const held = await this.take(now);
    this.heldUntil = held ? now.getTime() + this.ttlMs : 0;
    return held;
  }

  private async take(now: Date): Promise<boolean> {
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    const current = await this.leases.findById(this.name).lean<LeaseDoc>();
    if (!current) {
      try {
        await this.leases.collection.insertOne({
          _id: this.name,
          holder: this.holder,
          expiresAt,
        } as never);
        return true;
      } catch (error) {
        if ((error as { code?: number }).code === 11000) return false;
        throw error;
      }
    }
    if (current.holder !== this.holder && current.expiresAt > now) return false;
    await this.leases.replaceOne({ _id: this.name }, { holder: this.holder, expiresAt });
    // Read back: of two instances that both saw it expired, the last writer keeps it.
    const after = await this.leases.findById(this.name).lean<LeaseDoc>();
    return after?.holder === this.holder;
  }

  /**
   * Whether this instance holds the lease now, read from the database rather than
   * remembered: asked when Kafka says another producer took over.
   */
  async holds(now = new Date()): Promise<boolean> {
    const current = await this.leases.findById(this.name).lean<LeaseDoc>();
    const held = current?.holder === this.holder && current.expiresAt > now;
    if (!held) this.heldUntil = 0;
    return held;
  }

  async release(): Promise<void> {
    this.heldUntil = 0;
    const current = await this.leases.findById(this.name).lean<LeaseDoc>();
    if (current?.holder === this.holder) await this.leases.deleteOne({ _id: this.name });
  }
}
