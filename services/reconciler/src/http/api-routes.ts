/**
 * The JSON API under /api/v1: what `herald status`, scripts and other tools
 * read, and the operator actions. Dates serialise as ISO strings.
 */
import type { Logger } from "@herald/runtime";
import express, { type Request, type Router } from "express";
import type { TokenCheck } from "./authenticate";
import type { OperatorActions, ReconcilerQueries } from "../model";
import { authOf, requireApiOperator } from "./authenticate";
import { act, BODY_LIMIT_BYTES, HttpError, jsonErrorHandler, parseInput } from "./errors";
import {
  auditBodySchema,
  findingsQuerySchema,
  matrixQuery,
  matrixQuerySchema,
  optionalNoteSchema,
  problemsQuerySchema,
  requiredNoteSchema,
} from "./schemas";
import { statusSummary } from "./status-summary";

/** What the API routes need. */
export interface ApiDependencies {
  readonly queries: ReconcilerQueries;
  readonly actions: OperatorActions;
  readonly tokens: TokenCheck;
  readonly logger: Logger;
}

/** A problem's id from the route: `<channel>/<item id>`, each part URL-decoded by express. */
export function problemIdOf(req: Request): string {
  const { channel = "", itemId = "" } = req.params as Record<string, string | undefined>;
  return `${channel}/${itemId}`;
}

/** The API as a router, to be mounted at /api/v1. */
export function apiRouter(deps: ApiDependencies): Router {
  const { queries, actions, logger } = deps;
  const api = express.Router();
  api.use(requireApiOperator(deps.tokens));
  api.use(express.json({ limit: BODY_LIMIT_BYTES }));

  api.get("/items/:id/status", (req, res) => {
    const status = queries.itemStatus(req.params.id);
    if (!status)
      throw new HttpError(404, "not_found", `no item ${JSON.stringify(req.params.id)}`, "id");
    res.json(status);
  });

  api.get("/items/:id/summary", (req, res) => {
    const status = queries.itemStatus(req.params.id);
    if (!status)
      throw new HttpError(404, "not_found", `no item ${JSON.stringify(req.params.id)}`, "id");
    res.json(statusSummary(status));
  });

  api.get("/items/:id/timeline", async (req, res) => {
    res.json(await queries.timeline(req.params.id));
  });

  api.get("/matrix", (req, res) => {
    res.json(queries.matrix(matrixQuery(parseInput(matrixQuerySchema, req.query))));
  });

  api.get("/findings", (req, res) => {
    const query = parseInput(findingsQuerySchema, req.query);
    res.json(
      queries.findings({
        ...(query.channel ? { channel: query.channel } : {}),
        includeDeclined: query.declined === "true",
      }),
    );
  });

  api.get("/problems", (req, res) => {
    const query = parseInput(problemsQuerySchema, req.query);
    res.json(
      queries.problems({
        ...(query.state ? { states: query.state } : {}),
        ...(query.channel ? { channel: query.channel } : {}),
      }),
    );
  });

  api.get("/problems/:channel/:itemId", (req, res) => {
    const id = problemIdOf(req);
    const problem = queries.problem(id);
    if (!problem) throw new HttpError(404, "not_found", `no problem ${JSON.stringify(id)}`, "id");
    res.json(problem);
  });

  api.post("/problems/:channel/:itemId/acknowledge", async (req, res) => {
    const { note } = parseInput(optionalNoteSchema, req.body);
    const { operator } = authOf(res);
    const id = problemIdOf(req);
    const problem = await act(["note"], () => actions.acknowledge(id, operator.name, note));
    logger.info({ problem: id, by: operator.name }, "problem acknowledged");
    res.json(problem);
  });

  api.post("/problems/:channel/:itemId/resolve", async (req, res) => {
    const { note } = parseInput(requiredNoteSchema, req.body);
    const { operator } = authOf(res);
    const id = problemIdOf(req);
    const problem = await act(["note"], () => actions.resolve(id, operator.name, note));
    logger.info({ problem: id, by: operator.name }, "problem resolved");
    res.json(problem);
  });

  api.post("/problems/:channel/:itemId/redeliver", async (req, res) => {
    const { note } = parseInput(optionalNoteSchema, req.body);
    const { operator } = authOf(res);
    const id = problemIdOf(req);
    const problem = await act(["note"], () => actions.forceRedelivery(id, operator.name, note));
    logger.info({ problem: id, by: operator.name }, "redelivery forced");
    res.json(problem);
  });

  api.post("/audits", async (req, res) => {
    const { channels } = parseInput(auditBodySchema, req.body);
    const { operator } = authOf(res);
    logger.info({ channels: channels ?? "all", by: operator.name }, "audit requested");
    res.json(await act(["channels"], () => actions.runAudit(channels)));
  });

  api.get("/channels", (_req, res) => {
    res.json(queries.channels());
  });

  api.get("/compliance", (_req, res) => {
    res.json(queries.compliance());
  });

  // The content service as last asked for announcements: answering, and how many versions wait.
  api.get("/content", (_req, res) => {
    const content = queries.content?.();
    if (!content) {
      throw new HttpError(
        404,
        "not_found",
        "the content service is not watched: set RECONCILER_CONTENT_ADDRESS and RECONCILER_CONTENT_TOKEN_FILE",
      );
    }
    res.json(content);
  });

  api.use((req) => {
    throw new HttpError(404, "not_found", `no API route ${req.method} ${req.baseUrl}${req.path}`);
  });
  api.use(jsonErrorHandler(logger));
  return api;
}
