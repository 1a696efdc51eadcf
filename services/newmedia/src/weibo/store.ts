import type { Connection } from "mongoose";

/**
 * What one Weibo account's publisher remembers, in the newmedia database. Every
 * document is keyed by a natural id in `_id` (FerretDB scans on any other filter),
 * and one publisher writes an account's documents, so plain upserts are enough.
 */

/** A post the account made, or is about to make, that is no longer the item's current one. */
export interface RetiredPost {
  postId: string;
  url: string;
  /** The version it showed. */
  version: number;
}

/**
 * `weibo_posts`, `_id` = `<account>/<itemId>`: the item's current post.
 * `posting` is the intent written before `statuses/share` is called, so that a
 * crash between the call and the answer's record is noticed on the next apply.
 */
export interface PostDocument {
  _id: string;
  itemId: string;
  state: "posting" | "posted" | "removed";
  /** The version the post shows (for `posting`: the version being posted). */
  version: number;
  checksum: string;
  /** The text sent to `statuses/share`: a new version is posted again only when it changes. */
  text: string;
  /** The item's page on the portal, which the text links to. */
  link: string;
  /** When the intent was written: a post found on the platform after it is this one. */
  intentAt: Date;
  postId?: string;
  url?: string;
  postedAt?: Date;
  removedAt?: Date;
  /** Earlier posts of the item still on the platform, to be deleted (by API or by hand). */
  retire: RetiredPost[];
}

/** `weibo_tasks`, `_id` = `<account>/<itemId>/<postId>`: a post an operator must delete by hand. */
export interface TaskDocument {
  _id: string;
  outletId: string;
  itemId: string;
  postId: string;
  postUrl: string;
  action: "delete_post";
  reason: string;
  openedAt: Date;
  doneAt?: Date;
  doneBy?: string;
}

/**
 * `weibo_accounts`, `_id` = account: the account's posting window (times of the
 * posts of the last hour, so a restart does not forget them), when the platform
 * last told it to slow down, its call counts of the day and its last post.
 */
export interface AccountDocument {
  _id: string;
  postTimes: Date[];
  /** No post before this time: the platform answered with a rate limit. */
  blockedUntil?: Date;
  /** The day (UTC+8, as the platform counts) the counts are for: "2026-12-05". */
  callDay: string;
  calls: Record<string, number>;
  lastPost?: { at: Date; ref: string };
}

export class WeiboStore {
  constructor(
    private readonly connection: Connection,
    readonly account: string,
  ) {}

  private get posts() {
    return this.connection.db!.collection<PostDocument>("weibo_posts");
  }

  private get taskCollection() {
    return this.connection.db!.collection<TaskDocument>("weibo_tasks");
  }

  private get accounts() {
    return this.connection.db!.collection<AccountDocument>("weibo_accounts");
  }

  postKey(itemId: string): string {
    return `${this.account}/${itemId}`;
  }

  taskKey(itemId: string, postId: string): string {
    return `${this.account}/${itemId}/${postId}`;
  }

  async post(itemId: string): Promise<PostDocument | undefined> {
    return (await this.posts.findOne({ _id: this.postKey(itemId) })) ?? undefined;
  }

  async savePost(doc: PostDocument): Promise<void> {
    await this.posts.replaceOne({ _id: doc._id }, doc, { upsert: true });
  }

  async deletePost(itemId: string): Promise<void> {
    await this.posts.deleteOne({ _id: this.postKey(itemId) });
  }

  async task(id: string): Promise<TaskDocument | undefined> {
    return (await this.taskCollection.findOne({ _id: id })) ?? undefined;
  }

  /** Opens the task unless it exists: the same task on every attempt. */
  async openTask(task: TaskDocument): Promise<TaskDocument> {
    await this.taskCollection.updateOne(
      { _id: task._id },
      { $setOnInsert: task },
      { upsert: true },
    );
    return (await this.task(task._id)) ?? task;
  }

  async saveTask(task: TaskDocument): Promise<void> {
    await this.taskCollection.replaceOne({ _id: task._id }, task, { upsert: true });
  }

  /** The account's tasks. The collection holds only tasks, few of them, so a scan is fine. */
  async tasks(): Promise<TaskDocument[]> {
    const prefix = `${this.account}/`;
    const all = await this.taskCollection.find({}).toArray();
    return all.filter((task) => task._id.startsWith(prefix));
  }

  async accountState(): Promise<AccountDocument | undefined> {
    return (await this.accounts.findOne({ _id: this.account })) ?? undefined;
  }

  async saveAccountState(doc: AccountDocument): Promise<void> {
    await this.accounts.replaceOne({ _id: doc._id }, doc, { upsert: true });
  }
}
