import type { Collection, Connection } from "mongoose";
import type { QuotaSnapshot } from "./quota";

/** An article the account shows, as the platform confirmed it. */
export interface LiveArticle {
  version: number;
  articleId: string;
  articleUrl: string;
  publishedAt: Date;
}

/** A version on its way: a draft, then a publish job. */
export interface PendingPublish {
  version: number;
  checksum: string;
  title: string;
  contentSourceUrl: string;
  /** The draft's media_id, once draft/add answered. */
  mediaId: string;
  /** The job's publish_id, once freepublish/submit answered. */
  publishId?: string;
  draftedAt: Date;
  submittedAt?: Date;
}

/** What the platform holds of one item for one account (`_id` = `<account>/<itemId>`). */
export interface PostDocument {
  _id: string;
  live?: LiveArticle;
  pending?: PendingPublish;
}

/** An article to delete once the delete quota allows (`_id` = `<account>/<articleId>`). */
export interface PendingDeleteDocument {
  _id: string;
  account: string;
  itemId: string;
  version: number;
  /** The article to delete; absent while only the job that will publish it is known. */
  articleId?: string;
  /** A superseded publish job whose article, if it ever appears, must go. */
  publishId?: string;
  since: Date;
}

/** The account's own state (`_id` = `<account>`). */
export interface AccountDocument {
  _id: string;
  lastPost?: { at: Date; ref: string };
  quota?: QuotaSnapshot;
}

/**
 * The WeChat pipeline's records in the newmedia database. Every read is by `_id`
 * (FerretDB scans on any other filter), and one process writes for an account, so
 * plain upserts are enough.
 */
export class WechatStore {
  readonly posts: Collection<PostDocument>;
  readonly pendingDeletes: Collection<PendingDeleteDocument>;
  readonly accounts: Collection<AccountDocument>;
  private accountWrites: Promise<void> = Promise.resolve();

  constructor(
    db: Connection,
    private readonly account: string,
  ) {
    this.posts = db.collection<PostDocument>("wechat_posts");
    this.pendingDeletes = db.collection<PendingDeleteDocument>("wechat_pending_deletes");
    this.accounts = db.collection<AccountDocument>("wechat_accounts");
  }

  postId(itemId: string): string {
    return `${this.account}/${itemId}`;
  }

  async post(itemId: string): Promise<PostDocument> {
    const id = this.postId(itemId);
    return (await this.posts.findOne({ _id: id })) ?? { _id: id };
  }

  async savePost(doc: PostDocument): Promise<void> {
    await this.posts.replaceOne({ _id: doc._id }, doc, { upsert: true });
  }

  async addPendingDelete(entry: Omit<PendingDeleteDocument, "_id" | "account">): Promise<void> {
    const key = entry.articleId ?? `job:${entry.publishId ?? ""}`;
    const id = `${this.account}/${key}`;
    await this.pendingDeletes.replaceOne(
      { _id: id },
      { ...entry, account: this.account },
      { upsert: true },
    );
  }

  async listPendingDeletes(): Promise<PendingDeleteDocument[]> {
    // A scan, but of a short list: it only holds what the delete quota held back.
    return this.pendingDeletes.find({ account: this.account }).limit(50).toArray();
  }

  async hasPendingDeletes(): Promise<boolean> {
    return (await this.pendingDeletes.findOne({ account: this.account })) !== null;
  }

  async dropPendingDelete(id: string): Promise<void> {
    await this.pendingDeletes.deleteOne({ _id: id });
  }

  async accountState(): Promise<AccountDocument | null> {
    return this.accounts.findOne({ _id: this.account });
  }

  saveLastPost(lastPost: { at: Date; ref: string }): Promise<void> {
    return this.writeAccount({ lastPost });
  }

  saveQuota(quota: QuotaSnapshot): Promise<void> {
    return this.writeAccount({ quota });
  }

  /**
   * Account writes go one after another: two upserts of a missing document at
   * once both try to insert it, and FerretDB answers the second with a duplicate
   * key error.
   */
  private writeAccount(fields: Partial<Omit<AccountDocument, "_id">>): Promise<void> {
    const write = this.accountWrites
      .catch(() => undefined)
      .then(async () => {
        await this.accounts.updateOne({ _id: this.account }, { $set: fields }, { upsert: true });
      });
    this.accountWrites = write;
    return write;
  }
}
