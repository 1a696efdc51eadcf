import {
  type ApproveRequest,
  type ApproveResponse,
  BadRequest,
  ContentServiceClient,
  type RejectRequest,
  type RejectResponse,
  RevisionConflict,
  RpcStatus,
} from "@herald/contracts";
import { useTestNamespace } from "@herald/test-harness";
import * as grpc from "@grpc/grpc-js";
import type { ContentService } from "../src/service";
import { api, revisionOf, startContent, tokenOf, type User } from "./support";

/**
 * Four-eyes holds only if what is approved is what the reviewer read: approve and
 * reject name the revision read, and a draft changed since is not approved.
 */
const ns = useTestNamespace("content-review");
let content: ContentService;
let client: ContentServiceClient;

beforeAll(async () => {
  content = await startContent(ns);
  client = new ContentServiceClient(
    `127.0.0.1:${content.grpcPort}`,
    grpc.credentials.createInsecure(),
  );
});
ns.beforeCleanup(async () => {
  client.close();
  await content.stop();
});

const news = (title: string) => ({
  kind: "news",
  title,
  body: "<p>海关总署发布2016年政务公开工作要点。</p>",
  category: "news",
});

/** A draft alice wrote and submitted; returns its id and the revision in review. */
async function inReview(title: string): Promise<{ id: string; revision: number }> {
  const created = await api(content, "POST", "/items", "alice", news(title));
  expect(created.status).toBe(201);
  const id = created.body.item!.id as string;
  const submitted = await api(content, "POST", `/items/${id}/submit`, "alice", {});
  expect(submitted.status).toBe(200);
  return { id, revision: submitted.body.item!.revision as number };
}

/** Alice changes the draft after the reviewer read it, and submits it again. */
async function editAndResubmit(id: string, title: string): Promise<number> {
  expect((await api(content, "PATCH", `/items/${id}`, "alice", { title })).status).toBe(200);
  const again = await api(content, "POST", `/items/${id}/submit`, "alice", {});
  expect(again.status).toBe(200);
  return again.body.item!.revision as number;
}

async function statusOf(id: string): Promise<{ status: string; approvedBy?: string }> {
  const item = await api(content, "GET", `/items/${id}`, "alice");
  const draft = item.body.draft as { approvedBy?: string } | null;
  return {
    status: item.body.status as string,
    ...(draft?.approvedBy ? { approvedBy: draft.approvedBy } : {}),
  };
}

describe("review over HTTP", () => {
  it("answers 400 naming the field `revision` when approve or reject leaves it out", async () => {
    const { id } = await inReview("审核须注明所读版本");
    for (const [action, body] of [
      ["approve", {}],
      ["reject", { reason: "请补充" }],
    ] as const) {
      const answer = await api(content, "POST", `/items/${id}/${action}`, "carol", body);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBe("bad_request");
      expect(answer.body.violations).toEqual([
        expect.objectContaining({ field: "revision", rule: "required" }),
      ]);
      expect(answer.body.message).toMatch(/^revision: /);
    }
    expect(await statusOf(id)).toEqual({ status: "in-review" });
  });

  it("refuses with 409 and the current revision an approval of a draft edited since it was read", async () => {
    const { id, revision: read } = await inReview("审核期间被修改的草稿");
    const current = await editAndResubmit(id, "审核期间被修改的草稿（已改）");
    expect(current).toBeGreaterThan(read);

    const stale = await api(content, "POST", `/items/${id}/approve`, "carol", { revision: read });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ error: "conflict", currentRevision: current });
    expect(stale.body.message).toMatch(new RegExp(`revision ${current}, not ${read}`));
    // Nothing was approved: the draft waits in review for someone to read it.
    expect(await statusOf(id)).toEqual({ status: "in-review" });

    const staleReject = await api(content, "POST", `/items/${id}/reject`, "carol", {
      revision: read,
      reason: "请补充",
    });
    expect(staleReject.status).toBe(409);
    expect(staleReject.body.currentRevision).toBe(current);
    expect(await statusOf(id)).toEqual({ status: "in-review" });

    const approved = await api(content, "POST", `/items/${id}/approve`, "carol", {
      revision: current,
    });
    expect(approved.status).toBe(200);
    expect(await statusOf(id)).toEqual({ status: "approved", approvedBy: "carol" });
  });

  it("answers 400, not 500, to a path with malformed percent-encoding", async () => {
    for (const path of ["/items/%E0%A4%A", "/items/%E0%A4%A/approve", "/items/%ZZ", "/no%C3"]) {
      const answer = await api(content, "GET", path, "alice");
      expect({ path, status: answer.status }).toEqual({ path, status: 400 });
      expect(answer.body.error).toBe("bad_request");
      expect(answer.body.violations).toEqual([
        expect.objectContaining({ field: "path", rule: "percent-encoding" }),
      ]);
    }
    // Well-formed escapes still reach the route.
    expect((await api(content, "GET", "/items/%E4%B8%AD", "alice")).status).toBe(404);
  });
});

type Callback<Res> = (error: grpc.ServiceError | null, response: Res) => void;
function unary<Res>(
  invoke: (callback: Callback<Res>) => unknown,
): Promise<{ response?: Res; error?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    invoke((error, response) => resolve(error ? { error } : { response }));
  });
}

function as(user: User): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${tokenOf(user)}`);
  return metadata;
}

const approve = (request: Partial<ApproveRequest>, user: User) =>
  unary<ApproveResponse>((cb) =>
    client.approve({ id: "", revision: 0, note: "", ...request }, as(user), cb),
  );
const reject = (request: Partial<RejectRequest>, user: User) =>
  unary<RejectResponse>((cb) =>
    client.reject({ id: "", revision: 0, reason: "", ...request }, as(user), cb),
  );

function details(error: grpc.ServiceError | undefined) {
  const bin = error?.metadata.get("grpc-status-details-bin")[0];
  return Buffer.isBuffer(bin) ? RpcStatus.decode(bin).details : [];
}

describe("review over gRPC", () => {
  it("requires the revision: INVALID_ARGUMENT with a BadRequest naming `revision`", async () => {
    const { id } = await inReview("gRPC 审核须注明版本");
    const missing = await approve({ id }, "carol");
    expect(missing.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    const badRequest = details(missing.error).find((d) => d.typeUrl.endsWith("BadRequest"));
    expect(BadRequest.decode(badRequest!.value).fieldViolations).toEqual([
      expect.objectContaining({ field: "revision", reason: "required" }),
    ]);
    expect((await reject({ id, reason: "请补充" }, "carol")).error?.code).toBe(
      grpc.status.INVALID_ARGUMENT,
    );
    expect(await statusOf(id)).toEqual({ status: "in-review" });
  });

  it("refuses a stale revision with ABORTED and a RevisionConflict; approves the current one", async () => {
    const { id, revision: read } = await inReview("gRPC 审核期间被修改");
    const current = await editAndResubmit(id, "gRPC 审核期间被修改（已改）");

    const stale = await approve({ id, revision: read }, "carol");
    expect(stale.error?.code).toBe(grpc.status.ABORTED);
    const conflict = details(stale.error).find((d) =>
      d.typeUrl.endsWith("herald.content.v1.RevisionConflict"),
    );
    expect(RevisionConflict.decode(conflict!.value)).toEqual({
      id,
      revision: read,
      currentRevision: current,
    });
    expect(await statusOf(id)).toEqual({ status: "in-review" });

    const approved = await approve({ id, revision: current, note: "已核" }, "carol");
    expect(approved.error).toBeUndefined();
    expect(approved.response).toEqual({ id, revision: current + 1, draftStatus: "approved" });
    expect(await statusOf(id)).toEqual({ status: "approved", approvedBy: "carol" });
  });

  it("applies the HTTP API's role rules: reviewers only, and not one who edited the draft", async () => {
    const { id, revision } = await inReview("gRPC 审核权限");
    for (const user of ["alice", "channel-reader"] as const) {
      const denied = await approve({ id, revision }, user);
      expect({ user, code: denied.error?.code }).toEqual({
        user,
        code: grpc.status.PERMISSION_DENIED,
      });
    }
    // Those who may not see the item at all hear that it does not exist.
    for (const user of ["penalty-system", "portal"] as const) {
      const hidden = await approve({ id, revision }, user);
      expect({ user, code: hidden.error?.code }).toEqual({ user, code: grpc.status.NOT_FOUND });
    }
    // erin is a reviewer too, but edited this draft: four-eyes.
    await api(content, "PATCH", `/items/${id}`, "erin", { title: "gRPC 审核权限（erin 改）" });
    const resubmitted = await api(content, "POST", `/items/${id}/submit`, "erin", {});
    const own = await approve({ id, revision: resubmitted.body.item!.revision as number }, "erin");
    expect(own.error?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(own.error?.details).toMatch(/four-eyes/);

    const rejected = await reject(
      { id, revision: await revisionOf(content, id), reason: "标题请写全称" },
      "dave",
    );
    expect(rejected.error).toBeUndefined();
    expect(rejected.response?.draftStatus).toBe("draft");
    const item = await api(content, "GET", `/items/${id}`, "alice");
    expect((item.body.draft as { rejection: { reason: string } }).rejection.reason).toBe(
      "标题请写全称",
    );
  });
});
