import { randomBytes } from "node:crypto";
import type { WorkingCalendar } from "@herald/calendar";
import { type ItemState, MAX_ITEM_STATE_BYTES } from "@herald/contracts";
import { injectTraceContext } from "@herald/runtime";
import { context } from "@opentelemetry/api";
import type { ItemStore } from "../store/item-store";
import { computeDeadline, type DeadlineRules } from "./deadlines";
import { AlreadyExistsError, ConflictError, NotFoundError } from "./errors";
import {
  type Actor,
  type Adjustment,
  currentVersion,
  type ItemFields,
  type ItemRecord,
  type ItemVersion,
  type Kind,
  latestDisclosed,
} from "./item";
import { type ItemInput, mergeInput } from "./item-input";
import { checkDraftSize, checkVersionSize } from "./item-size";
import { versionToItemState } from "./item-state";
import { type Action, authorize, maySee } from "./permissions";
import { checkTakedownRequest, requireRevision, requireText } from "./request-checks";
import { validateItem, type ValidationContext } from "./validate-item";
import {
  approveItem,
  createItem,
  editItem,
  publishItem,
  rejectItem,
  reviewNonDisclosure,
  runDue,
  submitItem,
  takeDownItem,
  type TakedownRequest,
  type Transition,
} from "./workflow";

export interface ItemServiceOptions {
  store: ItemStore;
  calendar: WorkingCalendar;
  deadlineRules: DeadlineRules;
  /** Whether the four-eyes rule applies to a kind. */
  fourEyes: (kind: Kind) => boolean;
  /** Hosts a body's images may come from; none when absent. */
  imageHosts?: readonly string[];
  /** Default interval of the periodic review of undisclosed items. */
  reviewIntervalDays: number;
  /** Called after every stored change that carries events. */
  onEvents: (record: ItemRecord) => void;
  now?: () => Date;
}

export interface ChangeResult {
  record: ItemRecord;
  adjustments: Adjustment[];
  /** The ItemState of the version this change made, when it made one. */
  state?: ItemState;
  /** True when a retried direct publication found the item already there and changed nothing. */
  replayed?: boolean;
}

/** A new item id: time-ordered, short enough for URLs, unguessable enough not to enumerate drafts. */
export function newItemId(now: Date): string {
  return `${now.getTime().toString(36)}-${randomBytes(5).toString("hex")}`;
}

/**
 * The use cases of the content service: each authorises the actor, validates,
 * runs one workflow transition and stores it as one revision together with the
 * events it announces.
 */
export class ItemService {
  private readonly now: () => Date;
  private readonly validation: ValidationContext;

  constructor(private readonly options: ItemServiceOptions) {
    this.now = options.now ?? (() => new Date());
    this.validation = {
      imageHosts: options.imageHosts ?? [],
      lookup: async (itemId) => {
        const record = await options.store.find(itemId);
        if (!record) return undefined;
        const current = currentVersion(record);
        return {
          kind: record.kind,
          published: current?.status === "published" && current.disclosed,
        };
      },
    };
  }

  async get(actor: Actor, id: string): Promise<ItemRecord> {
    return this.authorized(actor, "read", id);
  }

  /**
   * The item, if the actor may see it. Otherwise the same NotFoundError as for an
   * id that names nothing, before any other check can tell the two apart.
   */
  private async visible(actor: Actor, id: string): Promise<ItemRecord> {
    const record = await this.options.store.find(id);
    if (!record || !maySee(actor, record)) throw new NotFoundError(id);
    return record;
  }

  /** The item, once the actor may see it and may do `action` to an item of its kind. */
  private async authorized(actor: Actor, action: Action, id: string): Promise<ItemRecord> {
    const record = await this.visible(actor, id);
    authorize(actor, action, record.kind);
    return record;
  }

  /**
   * Validates the fields of a draft, and refuses one that could never be published
   * because its message would not fit on the topic.
   */
  private async validate(input: Partial<ItemFields>, id: string, nextVersion = 1) {
    const result = await validateItem(input, this.validation, id);
    checkDraftSize(id, result.fields, nextVersion, this.now());
    return result;
  }

  /** Fills in the deadline, checksum and trace of a new version; returns the versions to announce. */
  private async finishVersion(record: ItemRecord, version: ItemVersion): Promise<number[]> {
    let policyPublishedAt: Date | undefined;
    const interprets = version.fields.related.find((r) => r.relation === "interprets");
    if (interprets) {
      policyPublishedAt = (await this.options.store.find(interprets.itemId))?.versions[0]
        ?.publishedAt;
    }
    const deadline = computeDeadline(this.options.calendar, this.options.deadlineRules, {
      fields: version.fields,
      createdAt: record.createdAt,
      ...(policyPublishedAt ? { policyPublishedAt } : {}),
      ...(version.takedown ? { takedown: version.takedown } : {}),
    });
    if (deadline) version.deadline = deadline;
    if (!version.disclosed) return [];
    const carrier: Record<string, string> = {};
    injectTraceContext(carrier, context.active());
    if (carrier.traceparent) {
      version.trace = { traceparent: carrier.traceparent, tracestate: carrier.tracestate ?? "" };
    }
    version.checksum = versionToItemState(record.id, version).checksum;
    // Every route that makes a public version passes here, before anything is stored:
    // what the relay could never send is refused now, not found stuck later.
    checkVersionSize(record.id, version, MAX_ITEM_STATE_BYTES);
    return [version.version];
  }

  private async store(
    transition: Transition,
    adjustments: Adjustment[] = [],
  ): Promise<ChangeResult> {
    const { record, version } = transition;
    const announces = version ? await this.finishVersion(record, version) : [];
    await this.options.store.commit(record, announces);
    if (announces.length) this.options.onEvents(record);
    const state = version?.disclosed ? versionToItemState(record.id, version) : undefined;
    return { record, adjustments, ...(state ? { state } : {}) };
  }

  /**
   * Runs a transition on the record as read. Storing it claims the next revision,
   * so a writer that changed the item since then makes this one a ConflictError.
   */
  private async change(
    record: ItemRecord,
    expectedRevision: number | undefined,
    run: (record: ItemRecord) => Transition | Promise<Transition>,
    review?: "approve" | "reject",
  ): Promise<ChangeResult> {
    if (expectedRevision !== undefined && expectedRevision !== record.revision) {
      throw new ConflictError(
        review
          ? `item ${record.id} is at revision ${record.revision}, not ${expectedRevision}: it changed since you read it; read revision ${record.revision} and ${review} that`
          : `item ${record.id} is at revision ${record.revision}, not ${expectedRevision}: someone changed it since you read it`,
        record.revision,
        review
          ? { id: record.id, revision: expectedRevision, currentRevision: record.revision }
          : undefined,
      );
    }
    return this.store(await run(record));
  }

  async create(actor: Actor, input: ItemInput): Promise<ChangeResult> {
    authorize(actor, "create", input.kind);
    const now = this.now();
    const id = input.id ?? newItemId(now);
    const { fields, adjustments } = await this.validate(mergeInput(undefined, input), id);
    return this.store({ record: createItem(id, fields, adjustments, actor, now) }, adjustments);
  }

  async edit(actor: Actor, id: string, input: ItemInput, expectedRevision?: number) {
    const record = await this.authorized(actor, "edit", id);
    const base = record.draft?.fields ?? currentVersion(record)?.fields;
    const { fields, adjustments } = await this.validate(
      mergeInput(base, { ...input, kind: input.kind ?? record.kind }),
      id,
      record.versions.length + 1,
    );
    const result = await this.change(record, expectedRevision, (r) =>
      editItem(r, fields, adjustments, actor, this.now()),
    );
    return { ...result, adjustments };
  }

  async submit(actor: Actor, id: string, expectedRevision?: number) {
    const record = await this.authorized(actor, "submit", id);
    return this.change(record, expectedRevision, (r) => submitItem(r, actor, this.now()));
  }

  /**
   * Approves the draft at `revision`, the one the reviewer read: a draft edited
   * since is a ConflictError naming the current revision, never approved unread.
   */
  async approve(actor: Actor, id: string, revision: number | undefined, note?: string) {
    const reviewed = requireRevision(revision, "approve");
    const record = await this.authorized(actor, "approve", id);
    return this.change(
      record,
      reviewed,
      (r) => approveItem(r, actor, this.now(), this.options.fourEyes(r.kind), note),
      "approve",
    );
  }

  /** Rejects the draft at `revision`, the one the reviewer read (as approve). */
  async reject(actor: Actor, id: string, reason: string, revision: number | undefined) {
    const reviewed = requireRevision(revision, "reject");
    const record = await this.authorized(actor, "reject", id);
    requireText("reason", reason, "a rejection needs a reason the editor can act on");
    return this.change(record, reviewed, (r) => rejectItem(r, actor, this.now(), reason), "reject");
  }

  async publish(
    actor: Actor,
    id: string,
    options: { publishAt?: Date; direct?: boolean },
    expectedRevision?: number,
  ) {
    const record = await this.authorized(actor, options.direct ? "publish-direct" : "publish", id);
    return this.change(record, expectedRevision, (r) => {
      // A draft stored before its size was checked must not be scheduled to fail later.
      if (r.draft) checkDraftSize(id, r.draft.fields, r.versions.length + 1, this.now());
      return publishItem(r, actor, this.now(), {
        ...options,
        reviewIntervalDays: this.options.reviewIntervalDays,
      });
    });
  }

  /**
   * Creates and publishes in one revision, without editorial review: for admins
   * and upstream systems. A retry with the same id and content returns the item.
   */
  async publishDirect(actor: Actor, input: ItemInput, publishAt?: Date): Promise<ChangeResult> {
    authorize(actor, "publish-direct", input.kind);
    const now = this.now();
    const id = input.id ?? newItemId(now);
    const { fields, adjustments } = await this.validate(mergeInput(undefined, input), id);
    const existing = input.id ? await this.options.store.find(id) : undefined;
    if (existing) {
      const current = currentVersion(existing);
      if (
        existing.createdBy === actor.name &&
        current &&
        JSON.stringify(current.fields) === JSON.stringify(fields)
      ) {
        const state = current.disclosed ? versionToItemState(id, current) : undefined;
        return { record: existing, adjustments, replayed: true, ...(state ? { state } : {}) };
      }
      throw new AlreadyExistsError(id);
    }
    const created = createItem(id, fields, adjustments, actor, now);
    created.revision = 0; // publishing below makes it revision 1: one atomic insert
    const published = publishItem(created, actor, now, {
      direct: true,
      reviewIntervalDays: this.options.reviewIntervalDays,
      ...(publishAt ? { publishAt } : {}),
    });
    published.record.audit.forEach((entry) => (entry.revision = 1));
    return this.store(published, adjustments);
  }

  /** Publishes a new version at once (upstream systems): edit and publish in one revision. */
  async updateDirect(actor: Actor, id: string, input: ItemInput, expectedVersion?: number) {
    const record = await this.authorized(actor, "publish-direct", id);
    const current = currentVersion(record);
    if (expectedVersion !== undefined && current?.version !== expectedVersion) {
      throw new ConflictError(
        `item ${id} is at version ${current?.version ?? 0}, not ${expectedVersion}`,
        record.revision,
      );
    }
    const base = record.draft?.fields ?? current?.fields;
    const { fields, adjustments } = await this.validate(
      mergeInput(base, { ...input, kind: input.kind ?? record.kind }),
      id,
      record.versions.length + 1,
    );
    const result = await this.change(record, record.revision, (r) => {
      const edited = editItem(r, fields, adjustments, actor, this.now()).record;
      edited.revision = r.revision; // one revision for the edit and its publication
      edited.audit.at(-1)!.revision = r.revision + 1;
      return publishItem(edited, actor, this.now(), {
        direct: true,
        reviewIntervalDays: this.options.reviewIntervalDays,
      });
    });
    return { ...result, adjustments };
  }

  async takedown(actor: Actor, id: string, request: TakedownRequest) {
    const record = await this.authorized(actor, "takedown", id);
    const named = request.replacedBy
      ? await this.options.store.find(request.replacedBy)
      : undefined;
    // A successor the actor may not see is refused as if it did not exist.
    checkTakedownRequest(id, request, named && maySee(actor, named) ? named : undefined);
    return this.change(record, undefined, (r) => takeDownItem(r, actor, this.now(), request));
  }

  async reviewDisclosure(actor: Actor, id: string, nextReviewAt: Date, note: string) {
    const record = await this.authorized(actor, "disclosure-review", id);
    requireText("note", note, "record what the review decided");
    return this.change(record, undefined, (r) =>
      reviewNonDisclosure(r, actor, this.now(), nextReviewAt, note),
    );
  }

  /**
   * Runs what is due for one item (scheduled publication, expiry). Safe to call
   * from every instance at once: only one can claim the next revision.
   */
  async runDue(id: string): Promise<ChangeResult | undefined> {
    const record = await this.options.store.find(id);
    if (!record) return undefined;
    const transition = runDue(record, this.now(), this.options.reviewIntervalDays);
    if (!transition) return undefined;
    try {
      return await this.store(transition);
    } catch (error) {
      if (error instanceof ConflictError) return undefined; // another instance did it
      throw error;
    }
  }

  /** The ItemState of the item's latest disclosed version: what every channel should hold. */
  async publicState(actor: Actor, id: string): Promise<ItemState> {
    authorize(actor, "read-public");
    const record = await this.options.store.find(id);
    const version = record ? latestDisclosed(record) : undefined;
    if (!record || !version) throw new NotFoundError(id);
    return versionToItemState(id, version);
  }
}
