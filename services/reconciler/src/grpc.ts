import * as grpc from "@grpc/grpc-js";
import { ReconcilerService, type ReconcilerServer } from "@herald/contracts";
import type { Logger } from "@herald/runtime";
import type { OperatorTokens } from "./auth";
import {
  problemStateFromProto,
  toChannelSummary,
  toFinding,
  toItemStatus,
  toProblem,
} from "./convert";
import type { OperatorActions, ProblemState, ReconcilerQueries } from "./model";

export interface ReconcilerGrpcOptions {
  queries: ReconcilerQueries;
  actions: OperatorActions;
  tokens: OperatorTokens;
  logger: Logger;
}

const MAX_PAGE = 500;

type Call = { metadata: grpc.Metadata };
type Callback = (error: Partial<grpc.StatusObject> | null, value?: never) => void;

/** The caller's name when it carries an operator's bearer token; otherwise answers the call. */
function operator(call: Call, callback: Callback, tokens: OperatorTokens): string | undefined {
  const header = call.metadata.get("authorization")[0];
  const who = tokens.authenticate(typeof header === "string" ? header : undefined);
  if (!who) {
    callback({
      code: grpc.status.UNAUTHENTICATED,
      details: "send `authorization: Bearer <token>` with a token of a user with the operator role",
    });
    return undefined;
  }
  if (!who.roles.includes("operator")) {
    callback({
      code: grpc.status.PERMISSION_DENIED,
      details: `${who.name} does not have the operator role`,
    });
    return undefined;
  }
  return who.name;
}

function failed(callback: Callback, logger: Logger, error: unknown): void {
  logger.error({ err: error }, "reconciler call failed");
  callback({ code: grpc.status.INTERNAL, details: "internal error; see the reconciler's log" });
}

/** The gRPC Reconciler service; every call needs the operator role. */
export function createReconcilerGrpc(options: ReconcilerGrpcOptions): ReconcilerServer {
  const { queries, actions, tokens, logger } = options;
  return {
    getItemStatus(call, callback) {
      if (!operator(call, callback, tokens)) return;
      const id = call.request.itemId.trim();
      if (!id) {
        callback({ code: grpc.status.INVALID_ARGUMENT, details: "item_id: required" });
        return;
      }
      const status = queries.itemStatus(id);
      if (!status) {
        callback({
          code: grpc.status.NOT_FOUND,
          details: `item_id: no item ${JSON.stringify(id)} is known on herald.items.v1 or any channel`,
        });
        return;
      }
      callback(null, toItemStatus(status));
    },
    listProblems(call, callback) {
      if (!operator(call, callback, tokens)) return;
      const states: ProblemState[] = [];
      for (const s of call.request.states) {
        const state = problemStateFromProto(s);
        if (!state) {
          callback({
            code: grpc.status.INVALID_ARGUMENT,
            details: `states: ${s} is not a problem state`,
          });
          return;
        }
        states.push(state);
      }
      const size = Math.min(call.request.pageSize || 100, MAX_PAGE);
      const offset = call.request.pageToken ? Number.parseInt(call.request.pageToken, 10) : 0;
      if (!Number.isInteger(offset) || offset < 0) {
        callback({
          code: grpc.status.INVALID_ARGUMENT,
          details: "page_token: not a token this server issued",
        });
        return;
      }
      const all = queries.problems({
        ...(states.length > 0 ? { states } : {}),
        ...(call.request.channel ? { channel: call.request.channel } : {}),
      });
      const page = all.slice(offset, offset + size);
      callback(null, {
        problems: page.map(toProblem),
        nextPageToken: offset + size < all.length ? String(offset + size) : "",
      });
    },
    getChannelSummary(call, callback) {
      if (!operator(call, callback, tokens)) return;
      callback(null, { channels: queries.channels().map((c) => toChannelSummary(c)) });
    },
    runAudit(call, callback) {
      if (!operator(call, callback, tokens)) return;
      const known = new Set(queries.channels().map((c) => c.channel));
      const unknown = call.request.channels.filter((c) => !known.has(c));
      if (unknown.length > 0) {
        callback({
          code: grpc.status.INVALID_ARGUMENT,
          details: `channels: unknown channel ${unknown.join(", ")}`,
        });
        return;
      }
      actions
        .runAudit(call.request.channels)
        .then((report) => {
          const summaries = new Map(queries.channels().map((c) => [c.channel, c]));
          callback(null, {
            findings: report.findings.map(toFinding),
            channels: report.runs.flatMap((run) => {
              const summary = summaries.get(run.channel);
              return summary ? [toChannelSummary(summary, run)] : [];
            }),
          });
        })
        .catch((error: unknown) => failed(callback, logger, error));
    },
  };
}

/** Starts the gRPC server; `port` 0 picks a free one. */
export async function startReconcilerGrpc(
  service: ReconcilerServer,
  host: string,
  port: number,
): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService(ReconcilerService, service);
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  return { server, port: bound };
}
