import { MAX_MESSAGE_BYTES } from "@herald/contracts";
import type { Logger } from "@herald/runtime";
import express, { type Express, type Response } from "express";
import { z } from "zod";
import type { TokenRegistry } from "../auth/tokens";
import { ValidationError } from "../domain/errors";
import {
  type Actor,
  DISCLOSURES,
  DRAFT_STATUSES,
  KINDS,
  TAKEDOWN_MODES,
  VERSION_STATUSES,
} from "../domain/item";
import { itemInputSchema, violationsFromZod } from "../domain/item-input";
import { authorize } from "../domain/permissions";
import type { ChangeResult, ItemService } from "../domain/item-service";
import type { ItemStore } from "../store/item-store";
import type { SetAsideStore } from "../store/set-aside";
import type { OutboxRelay } from "../outbox/relay";
import { latestDisclosed } from "../domain/item";
import { announce, createRelayView } from "./relay-view";
import { errorHandler } from "./errors";
import { percentEncoding, tracing } from "./middleware";
import { itemSummary, itemView, versionView } from "./views";

export interface HttpAppOptions {
  items: ItemService;
  store: ItemStore;
  setAside: SetAsideStore;
  relay: OutboxRelay;
  tokens: TokenRegistry;
  logger: Logger;
  now?: () => Date;
}

const JSON_LIMIT_BYTES = 2 * MAX_MESSAGE_BYTES;

const revision = z.number().int().positive().optional();
const dateTime = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

const schemas = {
  edit: itemInputSchema.extend({ revision }),
  submit: z.strictObject({ revision }),
  // The revision the reviewer read: the service requires it (400 without, 409 when stale).
  approve: z.strictObject({ revision, note: z.string().max(2000).optional() }),
  reject: z.strictObject({ revision, reason: z.string().max(2000) }),
  publish: z.strictObject({
    revision,
    publishAt: dateTime.optional(),
    direct: z.boolean().optional(),
  }),
  schedule: z.strictObject({ revision, publishAt: dateTime }),
  takedown: z.strictObject({
    mode: z.enum(TAKEDOWN_MODES),
    reason: z.string().max(2000),
    publicExplanation: z.string().max(2000).optional(),
    replacedBy: z.string().max(64).optional(),
    decisionRevokedAt: dateTime.optional(),
  }),
  disclosureReview: z.strictObject({ nextReviewAt: dateTime, note: z.string().max(2000) }),
  list: z.object({
    status: z.enum([...DRAFT_STATUSES, ...VERSION_STATUSES]).optional(),
    kind: z.enum(KINDS).optional(),
    disclosure: z.enum(DISCLOSURES).optional(),
    q: z.string().max(200).optional(),
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
  }),
  reviewsDue: z.object({
    before: dateTime.optional(),
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
  }),
};

function parse<S extends z.ZodType>(schema: S, value: unknown, prefix = ""): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw new ValidationError(violationsFromZod(result.error, prefix));
  return result.data;
}

/** The authenticated actor, set by the /api authentication middleware. */
function actorOf(res: Response): Actor {
  return res.locals.actor as Actor;
}

/** The editors' JSON API, under /api. Every route needs a bearer token. */
export function createHttpApp(options: HttpAppOptions): Express {
  const { items, store, setAside, relay, tokens } = options;
  const relayView = createRelayView(store, setAside);
  const now = options.now ?? (() => new Date());
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  app.use((_req, res, next) => {
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Cache-Control", "no-store");
    next();
  });
  app.use(tracing);
  app.use(percentEncoding);
  // Twice the largest message: JSON escapes make a request larger than the item's
  // encoding, and an item near the limit should hear its exact size, not this.
  app.use(express.json({ limit: JSON_LIMIT_BYTES }));
  app.use("/api", (req, res, next) => {
    res.locals.actor = tokens.authenticate(req.headers.authorization);
    next();
  });

  const api = express.Router();
  const change = (status: number, res: Response, result: ChangeResult) =>
    res.status(status).json({
      item: itemView(result.record),
      adjustments: result.adjustments,
      ...(result.state
        ? { published: { version: result.state.version, checksum: result.state.checksum } }
        : {}),
    });

  api.get("/whoami", (_req, res) => {
    const actor = actorOf(res);
    res.json({ name: actor.name, roles: actor.roles, kinds: actor.kinds ?? null });
  });

  api.post("/items", async (req, res) => {
    change(201, res, await items.create(actorOf(res), parse(itemInputSchema, req.body)));
  });

  /** Creates and publishes at once, without review (admins). */
  api.post("/publish", async (req, res) => {
    const body = parse(itemInputSchema.extend({ publishAt: dateTime.optional() }), req.body);
    const { publishAt, ...input } = body;
    const result = await items.publishDirect(actorOf(res), input, publishAt);
    res.status(result.replayed ? 200 : 201).json({
      id: result.record.id,
      created: !result.replayed,
      version: result.state?.version ?? result.record.versions.at(-1)?.version ?? 0,
      item: itemView(result.record),
      adjustments: result.adjustments,
    });
  });

  api.get("/items", async (req, res) => {
    authorize(actorOf(res), "read");
    const query = parse(schemas.list, req.query);
    const { items: records, total } = await store.list({
      ...(query.status ? { status: query.status } : {}),
      ...(query.kind ? { kind: query.kind } : {}),
      ...(query.disclosure ? { disclosure: query.disclosure } : {}),
      ...(query.q ? { q: query.q } : {}),
      offset: (query.page - 1) * query.pageSize,
      limit: query.pageSize,
    });
    res.json({
      items: records.map(itemSummary),
      page: query.page,
      pageSize: query.pageSize,
      total,
    });
  });

  api.get("/items/:id", async (req, res) => {
    const record = await items.get(actorOf(res), req.params.id);
    const relayState = await relayView(record.id, latestDisclosed(record) !== undefined);
    res.json({ ...itemView(record), relay: relayState });
  });

  /** Asks the relay to send the item's newest public state again: how an operator retries a set-aside item. */
  api.post("/items/:id/announce", async (req, res) => {
    const record = await items.get(actorOf(res), req.params.id);
    res.status(202).json(await announce(actorOf(res), record, { store, setAside, relay, now }));
  });

  api.get("/items/:id/versions", async (req, res) => {
    const record = await items.get(actorOf(res), req.params.id);
    res.json({ id: record.id, versions: record.versions.map(versionView) });
  });

  api.get("/items/:id/versions/:version", async (req, res) => {
    const record = await items.get(actorOf(res), req.params.id);
    const version = record.versions.find((v) => String(v.version) === req.params.version);
    if (!version) {
      res.status(404).json({
        error: "not_found",
        message: `item ${record.id} has no version ${req.params.version}`,
      });
      return;
    }
    res.json(versionView(version));
  });

  api.get("/items/:id/audit", async (req, res) => {
    const record = await items.get(actorOf(res), req.params.id);
    res.json({ id: record.id, audit: record.audit });
  });

  api.patch("/items/:id", async (req, res) => {
    const { revision: expected, ...input } = parse(schemas.edit, req.body);
    change(200, res, await items.edit(actorOf(res), req.params.id, input, expected));
  });

  api.post("/items/:id/submit", async (req, res) => {
    const body = parse(schemas.submit, req.body);
    change(200, res, await items.submit(actorOf(res), req.params.id, body.revision));
  });

  api.post("/items/:id/approve", async (req, res) => {
    const body = parse(schemas.approve, req.body);
    change(200, res, await items.approve(actorOf(res), req.params.id, body.revision, body.note));
  });

  api.post("/items/:id/reject", async (req, res) => {
    const body = parse(schemas.reject, req.body);
    change(200, res, await items.reject(actorOf(res), req.params.id, body.reason, body.revision));
  });

  api.post("/items/:id/publish", async (req, res) => {
    const body = parse(schemas.publish, req.body);
    const options = {
      ...(body.publishAt ? { publishAt: body.publishAt } : {}),
      ...(body.direct ? { direct: true } : {}),
    };
    change(200, res, await items.publish(actorOf(res), req.params.id, options, body.revision));
  });

  api.post("/items/:id/schedule", async (req, res) => {
    const body = parse(schemas.schedule, req.body);
    if (body.publishAt.getTime() <= now().getTime()) {
      throw new ValidationError([
        {
          field: "publishAt",
          rule: "future",
          message: "a scheduled publication must be in the future",
        },
      ]);
    }
    change(
      200,
      res,
      await items.publish(
        actorOf(res),
        req.params.id,
        { publishAt: body.publishAt },
        body.revision,
      ),
    );
  });

  api.post("/items/:id/takedown", async (req, res) => {
    const body = parse(schemas.takedown, req.body);
    change(200, res, await items.takedown(actorOf(res), req.params.id, body));
  });

  api.post("/items/:id/disclosure-review", async (req, res) => {
    const body = parse(schemas.disclosureReview, req.body);
    change(
      200,
      res,
      await items.reviewDisclosure(actorOf(res), req.params.id, body.nextReviewAt, body.note),
    );
  });

  /** Undisclosed items whose periodic review is due (by `before`, default now). */
  api.get("/reviews/due", async (req, res) => {
    authorize(actorOf(res), "read");
    const query = parse(schemas.reviewsDue, req.query);
    const before = query.before ?? now();
    const records = await store.reviewsDue(
      before,
      (query.page - 1) * query.pageSize,
      query.pageSize,
    );
    res.json({
      before,
      items: records.map(itemSummary),
      page: query.page,
      pageSize: query.pageSize,
    });
  });

  app.use("/api", api);
  app.use((req, res) => {
    res.status(404).json({ error: "not_found", message: `no route ${req.method} ${req.path}` });
  });
  app.use(errorHandler(options.logger));
  return app;
}
