import {
  AnnouncementState,
  Any,
  BadRequest,
  ContentServiceService,
  type ContentServiceServer,
  RevisionConflict,
  RpcStatus,
  TakedownKind,
} from "@herald/contracts";
import { extractTraceContext, heraldTracer, type Logger } from "@herald/runtime";
import * as grpc from "@grpc/grpc-js";
import { SpanKind, SpanStatusCode, context, trace } from "@opentelemetry/api";
import type { TokenRegistry } from "../auth/tokens";
import {
  AlreadyExistsError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
  WorkflowError,
} from "../domain/errors";
import { type Actor, type ItemRecord, type Kind, latestDisclosed } from "../domain/item";
import { parseItemInput } from "../domain/item-input";
import { fromPb, KIND_TO_PB, TAKEDOWN_TO_PB } from "../domain/item-state";
import type { ItemService } from "../domain/item-service";
import type { ItemStore } from "../store/item-store";
import type { SetAsideStore } from "../store/set-aside";
import { PublicSummaries } from "../store/public-summaries";
import { type AnnouncementState as State, listAnnouncements } from "../outbox/announcements";
import { versionToItemState } from "../domain/item-state";
import { authorize } from "../domain/permissions";
import { draftToInput, protoFieldPath } from "./convert";

export interface GrpcServiceOptions {
  items: ItemService;
  store: ItemStore;
  setAside: SetAsideStore;
  tokens: TokenRegistry;
  logger: Logger;
  /** The service's readiness, as /readyz reports it; sent with the first page of ListAnnouncements. */
  readiness?: () => { ok: boolean; detail: string };
}

const ANNOUNCEMENT_STATE_TO_PB: Record<State, AnnouncementState> = {
  announced: AnnouncementState.ANNOUNCEMENT_STATE_ANNOUNCED,
  queued: AnnouncementState.ANNOUNCEMENT_STATE_QUEUED,
  "set-aside": AnnouncementState.ANNOUNCEMENT_STATE_SET_ASIDE,
};

/** A status whose google.rpc.Status detail (grpc-status-details-bin) carries one message. */
function withDetail(
  code: grpc.status,
  message: string,
  typeUrl: string,
  value: Uint8Array,
): Partial<grpc.StatusObject> {
  const rpcStatus = RpcStatus.encode({
    code,
    message,
    details: [Any.fromPartial({ typeUrl, value: Buffer.from(value) })],
  }).finish();
  const metadata = new grpc.Metadata();
  metadata.set("grpc-status-details-bin", Buffer.from(rpcStatus));
  return { code, details: message, metadata };
}

/**
 * A domain error as a gRPC status; field violations travel as google.rpc.BadRequest,
 * a stale review as a RevisionConflict naming the current revision.
 */
export function toServiceError(error: unknown, fieldRoot = "item"): Partial<grpc.StatusObject> {
  const status = (code: grpc.status, details: string) => ({ code, details });
  if (error instanceof ValidationError) {
    const badRequest = BadRequest.encode({
      fieldViolations: error.violations.map((v) => ({
        field: protoFieldPath(v.field, fieldRoot),
        description: v.message,
        reason: v.rule,
      })),
    }).finish();
    return withDetail(
      grpc.status.INVALID_ARGUMENT,
      error.message,
      "type.googleapis.com/google.rpc.BadRequest",
      badRequest,
    );
  }
  if (error instanceof UnauthenticatedError)
    return status(grpc.status.UNAUTHENTICATED, error.message);
  if (error instanceof ForbiddenError) return status(grpc.status.PERMISSION_DENIED, error.message);
  if (error instanceof NotFoundError) return status(grpc.status.NOT_FOUND, error.message);
  if (error instanceof AlreadyExistsError) return status(grpc.status.ALREADY_EXISTS, error.message);
  if (error instanceof ConflictError && error.review) {
    return withDetail(
      grpc.status.ABORTED,
      error.message,
      "type.googleapis.com/herald.content.v1.RevisionConflict",
      RevisionConflict.encode(error.review).finish(),
    );
  }
  if (error instanceof ConflictError) return status(grpc.status.ABORTED, error.message);
  if (error instanceof WorkflowError) return status(grpc.status.FAILED_PRECONDITION, error.message);
  return status(grpc.status.INTERNAL, "internal error; the request was not applied");
}

/** The RPCs whose request holds the item's fields under `item`; others name fields at the top. */
const ITEM_RPCS: ReadonlySet<string> = new Set(["Publish", "Update", "GetItem"]);

interface PageToken {
  at: string;
  id: string;
}

function decodePageToken(token: string): { at: Date; id: string } | undefined {
  if (!token) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as PageToken;
    const at = new Date(parsed.at);
    if (typeof parsed.id !== "string" || Number.isNaN(at.getTime())) throw new Error("bad token");
    return { at, id: parsed.id };
  } catch {
    throw new ValidationError([
      { field: "page_token", rule: "page-token", message: "not a token from a previous response" },
    ]);
  }
}

/** The gRPC ContentService for upstream systems and channels. */
export function createContentServiceImpl(options: GrpcServiceOptions): ContentServiceServer {
  const { items, store, setAside, tokens, logger } = options;
  const log = logger.child({ component: "grpc" });
  const summaries = new PublicSummaries(store);

  function unary<Req, Res>(name: string, run: (actor: Actor, request: Req) => Promise<Res>) {
    return (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => {
      const headers: Record<string, string> = {};
      for (const key of ["traceparent", "tracestate"]) {
        const value = call.metadata.get(key)[0];
        if (typeof value === "string") headers[key] = value;
      }
      const parent = extractTraceContext(headers);
      const span = heraldTracer().startSpan(
        `herald.content.v1.ContentService/${name}`,
        {
          kind: SpanKind.SERVER,
          attributes: {
            "rpc.system": "grpc",
            "rpc.service": "herald.content.v1.ContentService",
            "rpc.method": name,
          },
        },
        parent,
      );
      void context.with(trace.setSpan(parent, span), async () => {
        try {
          const authorization = call.metadata.get("authorization")[0];
          const actor = tokens.authenticate(
            typeof authorization === "string" ? authorization : undefined,
          );
          callback(null, await run(actor, call.request));
        } catch (error) {
          const serviceError = toServiceError(error, ITEM_RPCS.has(name) ? "item" : "");
          if (serviceError.code === grpc.status.INTERNAL) {
            log.error({ err: error, method: name }, "call failed");
            span.setStatus({ code: SpanStatusCode.ERROR });
          }
          span.setAttribute("rpc.grpc.status_code", serviceError.code ?? 0);
          callback(serviceError, null);
        } finally {
          span.end();
        }
      });
    };
  }

  const requireItem = <T>(item: T | undefined): T => {
    if (!item) {
      throw new ValidationError([{ field: "", rule: "required", message: "the item is required" }]);
    }
    return item;
  };

  return {
    publish: unary("Publish", async (actor, request) => {
      const input = parseItemInput(draftToInput(requireItem(request.item)));
      const result = await items.publishDirect(actor, input);
      const current = result.record.versions.at(-1)!;
      return {
        item: result.state ?? versionToItemState(result.record.id, current),
        adjustments: result.adjustments,
      };
    }),
    update: unary("Update", async (actor, request) => {
      const input = parseItemInput(draftToInput(requireItem(request.item)));
      const result = await items.updateDirect(
        actor,
        request.id,
        input,
        request.expectedVersion || undefined,
      );
      const current = result.record.versions.at(-1)!;
      return {
        item: result.state ?? versionToItemState(result.record.id, current),
        adjustments: result.adjustments,
      };
    }),
    takeDown: unary("TakeDown", async (actor, request) => {
      const mode = fromPb(TAKEDOWN_TO_PB, request.kind);
      if (!mode || request.kind === TakedownKind.TAKEDOWN_KIND_UNSPECIFIED) {
        throw new ValidationError([
          { field: "kind", rule: "one-of", message: "kind must be WITHDRAWN, REMOVED or REPLACED" },
        ]);
      }
      const result = await items.takedown(actor, request.id, {
        mode,
        reason: request.reason,
        publicExplanation: request.publicExplanation,
        ...(request.replacedBy ? { replacedBy: request.replacedBy } : {}),
        ...(request.decisionRevokedAt ? { decisionRevokedAt: request.decisionRevokedAt } : {}),
      });
      return {
        item: result.state ?? versionToItemState(result.record.id, result.record.versions.at(-1)!),
      };
    }),
    approve: unary("Approve", async (actor, request) => {
      const result = await items.approve(
        actor,
        request.id,
        request.revision || undefined,
        request.note || undefined,
      );
      return reviewAnswer(result.record);
    }),
    reject: unary("Reject", async (actor, request) => {
      const result = await items.reject(
        actor,
        request.id,
        request.reason,
        request.revision || undefined,
      );
      return reviewAnswer(result.record);
    }),
    getItem: unary("GetItem", async (actor, request) => ({
      item: await items.publicState(actor, request.id),
    })),
    listItems: unary("ListItems", async (actor, request) => {
      authorize(actor, "read-public");
      const pageSize = Math.min(request.pageSize || 100, 500);
      const after = decodePageToken(request.pageToken);
      const kinds = request.kinds
        .map((k) => fromPb(KIND_TO_PB, k))
        .filter((k): k is Kind => k !== undefined);
      const records = await store.listPublic(request.updatedSince, after, pageSize, kinds);
      const states = records.map((record) => {
        const version = latestDisclosed(record)!;
        return versionToItemState(record.id, version);
      });
      const last = records.at(-1);
      const lastAt = last ? latestDisclosed(last)!.at : undefined;
      return {
        items: states,
        nextPageToken:
          records.length === pageSize && last && lastAt
            ? Buffer.from(JSON.stringify({ at: lastAt.toISOString(), id: last.id })).toString(
                "base64url",
              )
            : "",
      };
    }),
    listAnnouncements: unary("ListAnnouncements", async (actor, request) => {
      // Auditors read what channels may read: public states, here without content.
      authorize(actor, "read-public");
      const readiness = request.pageToken ? undefined : options.readiness?.();
      const page = await listAnnouncements(summaries, setAside, {
        ...(request.updatedSince ? { updatedSince: request.updatedSince } : {}),
        pageSize: request.pageSize,
        pageToken: request.pageToken,
      });
      return {
        announcements: page.announcements.map((a) => ({
          itemId: a.id,
          version: a.version,
          checksum: a.checksum,
          acceptedAt: a.at,
          state: ANNOUNCEMENT_STATE_TO_PB[a.state],
          reason: a.reason ?? "",
          stateSince: a.since,
        })),
        nextPageToken: page.nextPageToken,
        ...(readiness ? { readiness: { ready: readiness.ok, detail: readiness.detail } } : {}),
      };
    }),
  };
}

function reviewAnswer(record: ItemRecord) {
  return { id: record.id, revision: record.revision, draftStatus: record.draft?.status ?? "" };
}

/** Starts the gRPC server; `port` 0 picks a free port. Returns the bound port. */
export async function startGrpcServer(
  impl: ContentServiceServer,
  host: string,
  port: number,
  credentials: grpc.ServerCredentials = grpc.ServerCredentials.createInsecure(),
): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server({ "grpc.max_receive_message_length": 8 * 1024 * 1024 });
  server.addService(ContentServiceService, impl);
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, credentials, (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  return { server, port: bound };
}
