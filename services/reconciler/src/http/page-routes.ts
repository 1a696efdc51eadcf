/**
 * The operators' dashboard: overview, delivery matrix, problems with their
 * actions, item pages and "audit now". Plain HTML forms and links only; the
 * overview, matrix and problems pages reload themselves when the operator asks.
 */
import express, { type Request, type Router } from "express";
import type { ProblemState } from "../model";
import { problemIdOf } from "./api-routes";
import { authOf, requireCsrf, requirePageOperator } from "./authenticate";
import { matrixView, overviewView } from "./dashboard-views";
import { auditFormView, auditReportView, itemView, problemsView } from "./detail-views";
import { act, BODY_LIMIT_BYTES, HttpError, parseInput } from "./errors";
import { layoutView } from "./layout-view";
import { loginRoutes } from "./login-routes";
import { type PageDependencies, pageErrorHandler, sendPage } from "./page-support";
import {
  auditForm,
  matrixQuery,
  matrixQuerySchema,
  optionalNoteForm,
  pageQuery,
  problemsQuerySchema,
  refreshQuerySchema,
  requiredNoteForm,
} from "./schemas";
import { safeNextPath } from "./session";

const DEFAULT_PROBLEM_STATES: readonly ProblemState[] = ["open", "acknowledged"];

function queryString(req: Request, name: string): string | undefined {
  const value = (req.query as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

/** Where a problem form returns to: its `back` path with a notice of what was done. */
function doneLocation(back: string | undefined, done: string, problemId: string): string {
  const base = "http://reconciler.invalid";
  const url = new URL(safeNextPath(back ?? "/problems"), base);
  url.searchParams.set("done", done);
  url.searchParams.set("problem", problemId);
  return url.pathname + url.search;
}

/** The dashboard as a router, mounted at the root. */
export function pageRouter(deps: PageDependencies): Router {
  const { queries, actions, renderer, logger, refreshSeconds } = deps;
  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: BODY_LIMIT_BYTES, parameterLimit: 100 }));
  router.use(loginRoutes(deps));
  router.use(requirePageOperator(deps.tokens, deps.sessions, deps.now));
  const csrf = requireCsrf(deps.sessions);

  /** The frame; a page given `refresh` can reload itself at that URL, when the operator asks. */
  const layout = (
    res: express.Response,
    title: string,
    section: string,
    refresh?: { url: string; req: Request },
  ) =>
    layoutView({
      title,
      section,
      auth: authOf(res),
      now: deps.now(),
      ...(refresh !== undefined
        ? {
            refreshSeconds,
            refreshUrl: refresh.url,
            autoRefresh:
              parseInput(refreshQuerySchema, pageQuery(refresh.req.query, ["refresh"])).refresh ===
              "on",
          }
        : {}),
    });

  router.get("/", (req, res) => {
    sendPage(res, renderer, 200, "overview", {
      layout: layout(res, "概览", "/", { url: "/", req }),
      ...overviewView(queries),
    });
  });

  router.get("/matrix", (req, res) => {
    const query = parseInput(
      matrixQuerySchema,
      pageQuery(req.query, ["page", "pageSize", "state", "channel", "search"]),
    );
    sendPage(res, renderer, 200, "matrix", {
      layout: layout(res, "交付矩阵", "/matrix", { url: req.originalUrl, req }),
      ...matrixView(queries.matrix(matrixQuery(query)), query),
    });
  });

  router.get("/problems", (req, res) => {
    const query = parseInput(problemsQuerySchema, pageQuery(req.query, ["state", "channel"]));
    const states = query.state ?? DEFAULT_PROBLEM_STATES;
    const params = new URLSearchParams({
      state: states.join(","),
      ...(query.channel ? { channel: query.channel } : {}),
    });
    // The page reloads (and forms return) without `done`, so a notice is shown once.
    const back = `/problems?${params.toString()}`;
    const problems = queries.problems({
      states,
      ...(query.channel ? { channel: query.channel } : {}),
    });
    sendPage(res, renderer, 200, "problems", {
      layout: layout(res, "问题", "/problems", { url: back, req }),
      ...problemsView(problems, {
        states,
        channel: query.channel,
        channels: queries.channels().map((c) => c.channel),
        done: queryString(req, "done"),
        doneProblem: queryString(req, "problem"),
        back,
      }),
    });
  });

  const problemForm = (
    action: "acknowledge" | "resolve" | "redeliver",
    done: string,
    run: (id: string, by: string, note: string | undefined) => Promise<unknown>,
  ) => {
    router.post(`/problems/:channel/:itemId/${action}`, csrf, async (req, res) => {
      const form = parseInput(action === "resolve" ? requiredNoteForm : optionalNoteForm, req.body);
      const id = problemIdOf(req);
      const by = authOf(res).operator.name;
      await act(["note"], () => run(id, by, form.note));
      logger.info({ problem: id, by, action }, "problem action from the dashboard");
      res.set("Cache-Control", "no-store").redirect(303, doneLocation(form.back, done, id));
    });
  };
  problemForm("acknowledge", "acknowledged", (id, by, note) => actions.acknowledge(id, by, note));
  problemForm("resolve", "resolved", (id, by, note) => actions.resolve(id, by, note ?? ""));
  problemForm("redeliver", "redelivered", (id, by, note) => actions.forceRedelivery(id, by, note));

  router.get("/items/:id", async (req, res) => {
    const status = queries.itemStatus(req.params.id);
    if (!status) {
      throw new HttpError(
        404,
        "not_found",
        `没有条目 ${JSON.stringify(req.params.id)}（no such item）`,
        "id",
      );
    }
    const timeline = await queries.timeline(req.params.id);
    sendPage(res, renderer, 200, "item", {
      layout: layout(res, status.title || status.itemId, ""),
      ...itemView(status, timeline),
    });
  });

  router.get("/audit", (_req, res) => {
    sendPage(res, renderer, 200, "audit", {
      layout: layout(res, "立即核查", "/audit"),
      ...auditFormView(queries.channels()),
    });
  });

  router.post("/audit", csrf, async (req, res) => {
    const form = parseInput(auditForm, req.body);
    const by = authOf(res).operator.name;
    logger.info({ channels: form.channels ?? "all", by }, "audit requested from the dashboard");
    const report = await act(["channels"], () => actions.runAudit(form.channels));
    sendPage(res, renderer, 200, "audit-report", {
      layout: layout(res, "核查结果", "/audit"),
      ...auditReportView(report),
    });
  });

  router.use((req) => {
    throw new HttpError(404, "not_found", `页面不存在：${req.path}`);
  });
  router.use(pageErrorHandler(deps));
  return router;
}
