import { ItemStatus, MessageHeaders, TakedownKind } from "@herald/contracts";
import { useTestNamespace } from "@herald/test-harness";
import { itemChecksum } from "../src/domain/item-state";
import type { ContentService } from "../src/service";
import { api, startContent, TopicReader, revisionOf } from "./support";

const ns = useTestNamespace("content-workflow");
let content: ContentService;
const topic = new TopicReader(ns);

beforeAll(async () => {
  content = await startContent(ns);
  await topic.start();
});
ns.beforeCleanup(async () => {
  await topic.stop();
  await content.stop();
});

const news = (title: string) => ({
  kind: "news",
  title,
  body: "<p>海关总署发布2016年政务公开工作要点。</p>",
  category: "news",
});

async function createAndApprove(title: string): Promise<{ id: string; revision: number }> {
  const created = await api(content, "POST", "/items", "alice", news(title));
  expect(created.status).toBe(201);
  const id = created.body.item!.id as string;
  expect((await api(content, "POST", `/items/${id}/submit`, "alice", {})).status).toBe(200);
  const approved = await api(content, "POST", `/items/${id}/approve`, "carol", {
    revision: await revisionOf(content, id),
  });
  expect(approved.status).toBe(200);
  return { id, revision: approved.body.item!.revision as number };
}

describe("the editorial workflow", () => {
  it("takes a draft through review, rejection and approval to version 1 on the topic", async () => {
    const created = await api(content, "POST", "/items", "erin", news("工作要点发布"));
    expect(created.status).toBe(201);
    const id = created.body.item!.id as string;
    expect(created.body.item!.status).toBe("draft");

    // Not in review yet: cannot be approved.
    expect(
      (
        await api(content, "POST", `/items/${id}/approve`, "carol", {
          revision: await revisionOf(content, id),
        })
      ).body.error,
    ).toBe("invalid_state");
    expect((await api(content, "POST", `/items/${id}/submit`, "erin", {})).status).toBe(200);

    // Four-eyes: erin is a reviewer too, but wrote the draft.
    const own = await api(content, "POST", `/items/${id}/approve`, "erin", {
      revision: await revisionOf(content, id),
    });
    expect(own.status).toBe(403);
    expect(own.body.message).toMatch(/four-eyes/);

    // A rejection needs a reason, and sends the draft back.
    const noReason = await api(content, "POST", `/items/${id}/reject`, "carol", {
      reason: " ",
      revision: await revisionOf(content, id),
    });
    expect(noReason.status).toBe(422);
    expect(noReason.body.violations?.[0]?.field).toBe("reason");
    const rejected = await api(content, "POST", `/items/${id}/reject`, "carol", {
      revision: await revisionOf(content, id),
      reason: "标题请写全称",
    });
    expect(rejected.body.item!.status).toBe("draft");
    expect((rejected.body.item!.draft as { rejection: { reason: string } }).rejection.reason).toBe(
      "标题请写全称",
    );

    // An editor who changed the draft may not approve it either.
    await api(content, "PATCH", `/items/${id}`, "alice", {
      title: "2016年海关政务公开工作要点发布",
    });
    await api(content, "POST", `/items/${id}/submit`, "alice", {});
    expect(
      (
        await api(content, "POST", `/items/${id}/approve`, "erin", {
          revision: await revisionOf(content, id),
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await api(content, "POST", `/items/${id}/approve`, "carol", {
          revision: await revisionOf(content, id),
        })
      ).status,
    ).toBe(200);

    const published = await api(content, "POST", `/items/${id}/publish`, "alice", {});
    expect(published.status).toBe(200);
    expect(published.body.item!.status).toBe("published");

    const state = await topic.waitFor(id, 1);
    expect(state.status).toBe(ItemStatus.ITEM_STATUS_PUBLISHED);
    expect(state.title).toBe("2016年海关政务公开工作要点发布");
    expect(state.checksum).toBe(itemChecksum(state));
    expect(state.deadline?.rule).toBe("proactive-20-working-days");
    const message = topic.messages.find((m) => m.key === id)!;
    expect(message.headers[MessageHeaders.schema]).toBe("herald.content.v1.ItemState");

    const audit = await api(content, "GET", `/items/${id}/audit`, "carol");
    const actions = (audit.body.audit as Array<{ action: string; actor: string }>).map(
      (a) => `${a.action}:${a.actor}`,
    );
    expect(actions).toEqual([
      "create:erin",
      "submit:erin",
      "reject:carol",
      "edit:alice",
      "submit:alice",
      "approve:carol",
      "publish:alice",
    ]);
  });

  it("makes an edit of a published item a new draft of version 2 that needs review again", async () => {
    const { id } = await createAndApprove("版本一");
    await api(content, "POST", `/items/${id}/publish`, "alice", {});
    await topic.waitFor(id, 1);

    const edited = await api(content, "PATCH", `/items/${id}`, "bob", { title: "版本二" });
    expect(edited.status).toBe(200);
    expect(edited.body.item!.status).toBe("draft");
    expect((edited.body.item!.current as { version: number }).version).toBe(1);
    // Not approved: cannot be published.
    expect((await api(content, "POST", `/items/${id}/publish`, "bob", {})).status).toBe(409);
    await api(content, "POST", `/items/${id}/submit`, "bob", {});
    await api(content, "POST", `/items/${id}/approve`, "dave", {
      revision: await revisionOf(content, id),
    });
    await api(content, "POST", `/items/${id}/publish`, "bob", {});

    const v2 = await topic.waitFor(id, 2);
    expect(v2.title).toBe("版本二");
    expect(topic.messages.filter((m) => m.key === id).map((m) => m.state.version)).toEqual([1, 2]);
    const versions = await api(content, "GET", `/items/${id}/versions`, "alice");
    const list = versions.body.versions as Array<{ version: number; fields: { title: string } }>;
    expect(list.map((v) => [v.version, v.fields.title])).toEqual([
      [1, "版本一"],
      [2, "版本二"],
    ]);
    // The first publication date stays; the version's own time moves on.
    const v1 = topic.of(id)[0]!;
    expect(v2.dates?.publishedAt).toEqual(v1.dates?.publishedAt);
  });

  it("lets one of two editors saving the same revision at the same moment win; the other gets 409", async () => {
    const created = await api(content, "POST", "/items", "alice", news("并发编辑"));
    const id = created.body.item!.id as string;
    let revision = created.body.item!.revision as number;
    for (let round = 0; round < 10; round++) {
      const [a, b] = await Promise.all([
        api(content, "PATCH", `/items/${id}`, "alice", { title: `alice ${round}`, revision }),
        api(content, "PATCH", `/items/${id}`, "bob", { title: `bob ${round}`, revision }),
      ]);
      const statuses = [a.status, b.status].sort();
      expect(statuses).toEqual([200, 409]);
      const winner = a.status === 200 ? a : b;
      const item = await api(content, "GET", `/items/${id}`, "alice");
      expect((item.body.draft as { fields: { title: string } }).fields.title).toBe(
        (winner.body.item!.draft as { fields: { title: string } }).fields.title,
      );
      revision = item.body.revision as number;
      expect(revision).toBe(winner.body.item!.revision as number);
    }
  });

  it("refuses a stale revision", async () => {
    const created = await api(content, "POST", "/items", "alice", news("过期修订"));
    const id = created.body.item!.id as string;
    await api(content, "PATCH", `/items/${id}`, "alice", { title: "新标题" });
    const stale = await api(content, "PATCH", `/items/${id}`, "bob", { title: "旧", revision: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.currentRevision).toBe(2);
  });

  it("takes items down in the three forms, each needing a reason", async () => {
    const ids: string[] = [];
    for (const title of ["撤回", "删除", "替换", "继任"]) {
      const { id } = await createAndApprove(title);
      await api(content, "POST", `/items/${id}/publish`, "alice", {});
      ids.push(id);
    }
    const [withdrawn, removed, replaced, successor] = ids as [string, string, string, string];
    await Promise.all(ids.map((id) => topic.waitFor(id, 1)));

    const noReason = await api(content, "POST", `/items/${removed}/takedown`, "carol", {
      mode: "removed",
      reason: "",
    });
    expect(noReason.status).toBe(422);
    expect(noReason.body.violations?.[0]?.field).toBe("reason");
    // Editors may not take items down.
    expect(
      (
        await api(content, "POST", `/items/${removed}/takedown`, "alice", {
          mode: "removed",
          reason: "x",
        })
      ).status,
    ).toBe(403);
    const noExplanation = await api(content, "POST", `/items/${withdrawn}/takedown`, "carol", {
      mode: "withdrawn",
      reason: "内容有误",
    });
    expect(noExplanation.body.violations?.[0]?.field).toBe("publicExplanation");
    const noSuccessor = await api(content, "POST", `/items/${replaced}/takedown`, "carol", {
      mode: "replaced",
      reason: "新版本",
      replacedBy: "no-such-item",
    });
    expect(noSuccessor.body.violations?.[0]?.field).toBe("replacedBy");

    expect(
      (
        await api(content, "POST", `/items/${withdrawn}/takedown`, "carol", {
          mode: "withdrawn",
          reason: "内容有误",
          publicExplanation: "本信息已撤回，更正后将重新发布。",
        })
      ).status,
    ).toBe(200);
    await api(content, "POST", `/items/${removed}/takedown`, "carol", {
      mode: "removed",
      reason: "误发布",
    });
    await api(content, "POST", `/items/${replaced}/takedown`, "carol", {
      mode: "replaced",
      reason: "由新文件替代",
      replacedBy: successor,
    });

    const w = await topic.waitFor(withdrawn, 2);
    expect(w.status).toBe(ItemStatus.ITEM_STATUS_RETRACTED);
    expect(w.takedown?.kind).toBe(TakedownKind.TAKEDOWN_KIND_WITHDRAWN);
    expect(w.takedown?.publicExplanation).toBe("本信息已撤回，更正后将重新发布。");
    const r = await topic.waitFor(removed, 2);
    expect(r.takedown?.kind).toBe(TakedownKind.TAKEDOWN_KIND_REMOVED);
    const p = await topic.waitFor(replaced, 2);
    expect(p.takedown?.kind).toBe(TakedownKind.TAKEDOWN_KIND_REPLACED);
    expect(p.takedown?.replacedBy).toBe(successor);

    const item = await api(content, "GET", `/items/${replaced}`, "alice");
    expect(item.body.status).toBe("replaced");
    // A replaced item is not edited any more: its successor is.
    expect(
      (await api(content, "PATCH", `/items/${replaced}`, "alice", { title: "x" })).status,
    ).toBe(409);
  });
});

describe("reading items", () => {
  it("lists with filters and paging, and serves each version", async () => {
    const tag = `筛选${Date.now()}`;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await api(content, "POST", "/items", "alice", news(`${tag} 第${i}条`));
      ids.push(created.body.item!.id as string);
    }
    await api(content, "POST", "/items", "alice", { ...news(`${tag} 公告`), kind: "notice" });
    const page1 = await api(
      content,
      "GET",
      `/items?kind=news&q=${encodeURIComponent(tag)}&pageSize=2`,
      "carol",
    );
    expect(page1.body.total).toBe(3);
    const page2 = await api(
      content,
      "GET",
      `/items?kind=news&q=${encodeURIComponent(tag)}&pageSize=2&page=2`,
      "carol",
    );
    const listed = [
      ...(page1.body.items as Array<{ id: string }>),
      ...(page2.body.items as Array<{ id: string }>),
    ];
    expect(listed.map((i) => i.id).sort()).toEqual([...ids].sort());
    const drafts = await api(
      content,
      "GET",
      `/items?status=draft&q=${encodeURIComponent(tag)}`,
      "carol",
    );
    expect(drafts.body.total).toBe(4);
    const bad = await api(content, "GET", "/items?kind=memo&pageSize=1000", "carol");
    expect(bad.body.violations!.map((v) => v.field).sort()).toEqual(["kind", "pageSize"]);

    const { id } = await createAndApprove(`${tag} 版本`);
    await api(content, "POST", `/items/${id}/publish`, "alice", {});
    const v1 = await api(content, "GET", `/items/${id}/versions/1`, "alice");
    expect(v1.body).toMatchObject({ version: 1, status: "published", disclosed: true });
    expect((await api(content, "GET", `/items/${id}/versions/2`, "alice")).status).toBe(404);
    expect((await api(content, "GET", "/items/no-such-item", "alice")).status).toBe(404);
  });
});

describe("authentication and roles on the HTTP API", () => {
  it("answers 401 without a valid bearer token and 403 for a role that may not act", async () => {
    expect((await api(content, "GET", "/items", {})).status).toBe(401);
    const wrong = await api(content, "GET", "/items", { authorization: "Bearer nope" });
    expect(wrong.status).toBe(401);
    expect(wrong.body.message).toMatch(/unknown or revoked token/);
    expect((await api(content, "GET", "/items", { authorization: "Basic YTpi" })).status).toBe(401);
    expect((await api(content, "POST", "/items", "carol", news("审核员不能起草"))).status).toBe(
      403,
    );
    expect((await api(content, "POST", "/publish", "alice", news("编辑不能直接发布"))).status).toBe(
      403,
    );
    expect((await api(content, "GET", "/items", "penalty-system")).status).toBe(403);
    const listed = await api(content, "GET", "/items?pageSize=2", "alice");
    expect(listed.status).toBe(200);
    expect((listed.body.items as unknown[]).length).toBeLessThanOrEqual(2);
  });

  it("names the field of malformed input and keeps the item unchanged", async () => {
    const bad = await api(content, "POST", "/items", "alice", {
      kind: "memo",
      title: 5,
      colour: "red",
    });
    expect(bad.status).toBe(422);
    const fields = bad.body.violations!.map((v) => v.field).sort();
    expect(fields).toEqual(["(body)", "kind", "title"]);
    expect((await api(content, "POST", "/items", "alice", "{not json")).status).toBe(400);
  });
});
