import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { ItemStatus, TakedownKind } from "@herald/contracts";
import { clockStartingAt, useTestNamespace } from "@herald/test-harness";
import {
  type ContentService,
  ItemsTopic,
  cliEnv,
  freePort,
  heraldAsync,
  startTestContent,
  tempDir,
  writeFile,
} from "./content-support";

// Declared before the namespace, so it runs before the namespace's clean-up deletes the topics.
afterAll(async () => {
  await topic.stop();
  rmSync(dir, { recursive: true, force: true });
});
const ns = useTestNamespace("cli-publish");
const topic = new ItemsTopic(ns);
let content: ContentService;
const dir = tempDir("cli-items");
let env: NodeJS.ProcessEnv;

const uniqueId = (label: string) => `${label}-${randomBytes(4).toString("hex")}`;

const news = (id: string, title: string) => ({
  id,
  kind: "news",
  title,
  body: "<p>海关总署发布2016年政务公开工作要点。</p>",
  category: "工作动态",
});

// The service's clock starts on Monday 1 June 2026, a year whose holidays are
// published, so a deadline 20 working days on is final whatever day the test runs.
const clock = clockStartingAt("2026-06-01T10:00:00+08:00");

beforeAll(async () => {
  content = await startTestContent(ns, clock);
  env = cliEnv(content);
  await topic.start();
});

async function publish(item: object): Promise<{ id: string; version: number }> {
  const id = (item as { id: string }).id;
  const result = await heraldAsync(["publish", writeFile(dir, `${id}.json`, item), "--json"], env);
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as { id: string; version: number };
}

describe("herald publish", () => {
  it("publishes a JSON file: its ItemState is on the topic within a second of the command returning", async () => {
    const id = uniqueId("cli-json");
    const file = writeFile(dir, "news.json", news(id, "海关开放日活动举行"));
    const result = await heraldAsync(["publish", file, "--json"], env);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`{"id":"${id}","version":1}\n`);

    const message = await topic.waitFor(id, 1, 5_000);
    const elapsed = message.receivedAt - result.endedAt;
    expect(elapsed).toBeLessThan(1_000);
    expect(message.state.id).toBe(id);
    expect(message.state.title).toBe("海关开放日活动举行");
    expect(message.state.status).toBe(ItemStatus.ITEM_STATUS_PUBLISHED);
  });

  it("publishes a Markdown file: front matter as fields, the text below as HTML", async () => {
    const id = uniqueId("cli-md");
    const file = writeFile(
      dir,
      "guide.md",
      [
        "---",
        `id: ${id}`,
        "kind: service-guide",
        "title: 进出境旅客行李物品申报指南",
        "tags: [旅检, 申报]",
        "targeting:",
        "  channels: [portal, hotline-kb]",
        "---",
        "",
        "## 办理流程",
        "",
        "1. 填写**申报单**",
        "2. 选择申报通道",
        "",
        '<font color="red">咨询</font>请拨打12360海关热线。',
        "",
      ].join("\n"),
    );
    const result = await heraldAsync(["publish", file], env);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`published ${id}, version 1`);
    expect(lines).toContain("  kind    service-guide");
    expect(lines).toContain("  title   进出境旅客行李物品申报指南");
    expect(lines).toContain("  changed by the service:");
    expect(lines).toContain("    body: removed 1 × element font [html.stripped.element]");

    const { state } = await topic.waitFor(id, 1);
    expect(state.tags).toEqual(["旅检", "申报"]);
    expect(state.targeting?.channels).toEqual(["portal", "hotline-kb"]);
    expect(state.bodyHtml).toContain("<h2>办理流程</h2>");
    expect(state.bodyHtml).toContain("<li>填写<strong>申报单</strong></li>");
    expect(state.bodyHtml).toContain("<p>咨询请拨打12360海关热线。</p>");
    expect(state.bodyHtml).not.toContain("## ");
  });

  it("refuses an item too large for the channels, naming the rule, the size and the limit", async () => {
    // About 4.5 MB of UTF-8: under the API's JSON limit, over the largest message.
    const large = writeFile(dir, "large.json", {
      ...news(uniqueId("cli-large"), "超大正文"),
      body: `<p>${"海关".repeat(750_000)}</p>`,
    });
    const tooLarge = await heraldAsync(["publish", large], env);
    expect(tooLarge.status).toBe(1);
    expect(tooLarge.stderr).toMatch(
      /^herald: the item was refused \(1 problem\):\n {2}body: .+\[size\.max-message\]$/m,
    );
    // Over the JSON limit itself: the whole request, not one field, is refused.
    const huge = writeFile(dir, "huge.json", {
      ...news(uniqueId("cli-huge"), "更大的正文"),
      body: `<p>${"海关".repeat(1_500_000)}</p>`,
    });
    const tooHuge = await heraldAsync(["publish", huge], env);
    expect(tooHuge.status).toBe(1);
    expect(tooHuge.stderr).toMatch(/^ {2}\(the item\): .+ \[size\.max-request\]$/m);
  });

  it("prints each violation of a refused item with its field and rule, exits 1, and publishes nothing", async () => {
    const id = uniqueId("cli-bad");
    const file = writeFile(dir, "bad.json", {
      id,
      kind: "policy-document",
      title: "缺少文号的文件",
      body: "<p>正文</p><script>alert(1)</script>",
    });
    const result = await heraldAsync(["publish", file, "--json"], env);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    const stderr = result.stderr.split("\n");
    expect(stderr[0]).toBe("herald: the item was refused (3 problems):");
    expect(stderr).toContain("  issuingOffice: the issuing office is required [required]");
    expect(stderr).toContain("  documentNumber: the document number is required [required]");
    expect(stderr.some((l) => /^ {2}body: .+ \[html\.no-script\]$/.test(l))).toBe(true);

    // A later item reaches the topic; the refused one never does.
    const after = await publish(news(uniqueId("cli-after"), "之后发布"));
    await topic.waitFor(after.id, 1);
    expect(topic.of(id)).toEqual([]);
    const item = await heraldAsync(["item", id], env);
    expect(item.status).toBe(1);
    expect(item.stderr).toContain(`herald: the content service answered 404 not_found`);
  });

  it("schedules an item whose file names a future publishAt", async () => {
    const id = uniqueId("cli-scheduled");
    const publishAt = new Date(Date.now() + 86_400_000).toISOString();
    const file = writeFile(dir, "scheduled.json", { ...news(id, "明日发布"), publishAt });
    const result = await heraldAsync(["publish", file], env);
    expect(result.stderr).toBe("");
    expect(result.stdout.split("\n")[0]).toBe(`scheduled ${id}: publishes at ${publishAt}`);
    expect(topic.of(id)).toEqual([]);
  });

  it("names a file it cannot read, and a file that is not an item", async () => {
    const missing = await heraldAsync(["publish", `${dir}/nope.json`], env);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`herald: cannot read ${dir}/nope.json: no such file\n`);
    const noFrontMatter = await heraldAsync(["publish", writeFile(dir, "x.md", "# 标题\n")], env);
    expect(noFrontMatter.status).toBe(1);
    expect(noFrontMatter.stderr).toMatch(/x\.md: a Markdown item starts with YAML front matter/);
  });
});

describe("herald item and herald takedown", () => {
  it("shows an item as a summary and as JSON", async () => {
    const { id } = await publish(news(uniqueId("cli-item"), "政务公开工作要点发布"));
    const summary = await heraldAsync(["item", id], env);
    expect(summary.status).toBe(0);
    const lines = summary.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(id);
    expect(lines).toEqual(
      expect.arrayContaining([
        "  kind       news",
        "  status     published",
        "  version    1 (of 1)",
        "  title      政务公开工作要点发布",
        "  takedown   -",
      ]),
    );
    // 2 June counts first; the Dragon Boat Festival (19 June) is a day off.
    expect(lines).toContain("  deadline   2026-06-30T15:59:59.999Z (proactive-20-working-days)");
    const json = await heraldAsync(["item", id, "--json"], env);
    const view = JSON.parse(json.stdout) as { id: string; current: { version: number } };
    expect(view.id).toBe(id);
    expect(view.current.version).toBe(1);
  });

  it("takes an item down: withdrawn needs an explanation; the new version retracts it", async () => {
    const { id } = await publish(news(uniqueId("cli-withdraw"), "待撤回的信息"));
    const noExplanation = await heraldAsync(
      ["takedown", id, "--mode", "withdrawn", "--reason", "内容有误"],
      env,
    );
    expect(noExplanation.status).toBe(1);
    expect(noExplanation.stderr).toMatch(/^ {2}publicExplanation: .+ \[required\]$/m);

    const withdrawn = await heraldAsync(
      [
        "takedown",
        id,
        "--mode",
        "withdrawn",
        "--reason",
        "内容有误",
        "--explanation",
        "本信息已撤回，更正后将重新发布。",
      ],
      env,
    );
    expect(withdrawn.stderr).toBe("");
    expect(withdrawn.stdout).toBe(`${id}: withdrawn, version 2\n`);
    const { state } = await topic.waitFor(id, 2);
    expect(state.status).toBe(ItemStatus.ITEM_STATUS_RETRACTED);
    expect(state.takedown?.kind).toBe(TakedownKind.TAKEDOWN_KIND_WITHDRAWN);
    expect(state.takedown?.publicExplanation).toBe("本信息已撤回，更正后将重新发布。");
    const item = await heraldAsync(["item", id], env);
    expect(item.stdout).toMatch(
      /^ {2}takedown {3}withdrawn at .+: 内容有误; public explanation: 本信息已撤回/m,
    );

    const successor = await publish(news(uniqueId("cli-successor"), "更正后的信息"));
    const { id: old } = await publish(news(uniqueId("cli-replaced"), "旧信息"));
    const replaced = await heraldAsync(
      ["takedown", old, "--mode", "replaced", "--reason", "由新信息替代"].concat([
        "--replaced-by",
        successor.id,
        "--json",
      ]),
      env,
    );
    expect(replaced.stdout).toBe(`{"id":"${old}","status":"replaced","version":2}\n`);
    expect((await topic.waitFor(old, 2)).state.takedown?.replacedBy).toBe(successor.id);

    const badMode = await heraldAsync(["takedown", id, "--mode", "hidden", "--reason", "x"], env);
    expect(badMode.status).toBe(1);
    expect(badMode.stderr).toMatch(/argument 'hidden' is invalid/);
  });
});

describe("where the commands find the content service", () => {
  it("asks for `herald up` when there are no local credentials", async () => {
    const home = join(dir, "home");
    const result = await heraldAsync(["item", "x"], {
      ...process.env,
      HERALD_HOME: home,
      HERALD_CONTENT_URL: "",
      HERALD_TOKEN: "",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `herald: no local credentials: ${home}/secrets/tokens.json does not exist; run \`./herald up\` first (or set HERALD_CONTENT_URL and HERALD_TOKEN)\n`,
    );
  });

  it("says the content service is not running when the connection is refused", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const result = await heraldAsync(["item", "x"], cliEnv(content, { HERALD_CONTENT_URL: url }));
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `herald: the content service is not running at ${url} (connection refused); start it with \`./herald up\`\n`,
    );
  });

  it("explains a rejected token", async () => {
    const result = await heraldAsync(["item", "x"], cliEnv(content, { HERALD_TOKEN: "wrong" }));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^herald: the content service answered 401 unauthenticated: unknown or revoked token; check HERALD_TOKEN/,
    );
  });
});
