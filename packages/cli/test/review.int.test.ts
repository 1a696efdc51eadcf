import { useTestNamespace } from "@herald/test-harness";
import { type ContentService, startHeraldServices } from "@herald/test-harness/services";
import { heraldAsync } from "./content-support";

/** herald approve and reject act on the revision the reviewer read, and say so when it is stale. */
const ns = useTestNamespace("cli-review");
let content: ContentService;

const TOKENS = { alice: "cli-review-alice", carol: "cli-review-carol" } as const;

beforeAll(async () => {
  const services = await startHeraldServices(ns, {
    content: {
      users: {
        alice: { roles: ["editor"], token: TOKENS.alice },
        carol: { roles: ["reviewer"], token: TOKENS.carol },
      },
    },
  });
  content = services.content;
});

const env = (as: keyof typeof TOKENS): NodeJS.ProcessEnv => ({
  ...process.env,
  HERALD_CONTENT_URL: `http://127.0.0.1:${content.httpPort}`,
  HERALD_TOKEN: TOKENS[as],
});

/** The editors' API as alice, for what the CLI has no command for (drafting). */
async function asAlice(method: string, path: string, body: unknown) {
  const response = await fetch(`http://127.0.0.1:${content.httpPort}/api${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKENS.alice}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status).toBeLessThan(300);
  return (await response.json()) as { item: { id: string; revision: number; status: string } };
}

async function draftInReview(title: string): Promise<string> {
  const created = await asAlice("POST", "/items", {
    kind: "news",
    title,
    body: "<p>海关开放日活动举行。</p>",
    category: "news",
  });
  await asAlice("POST", `/items/${created.item.id}/submit`, {});
  return created.item.id;
}

/** The revision `herald item` shows, as a reviewer would read it off the screen. */
async function shownRevision(id: string): Promise<number> {
  const shown = await heraldAsync(["item", id], env("carol"));
  expect(shown.status).toBe(0);
  const line = shown.stdout.split("\n").find((l) => /^ {2}revision /.test(l));
  expect(line).toMatch(new RegExp(`herald approve\\|reject ${id} --revision \\d+`));
  return Number(/revision +(\d+)/.exec(line!)![1]);
}

describe("herald approve and reject", () => {
  it("refuse to run without --revision, saying where to find it", async () => {
    const id = await draftInReview("没有版本号的审核");
    for (const args of [
      ["approve", id],
      ["reject", id, "--reason", "请补充"],
    ]) {
      const result = await heraldAsync(args, env("carol"));
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("needs --revision <n>");
      expect(result.stderr).toContain(`herald item ${id}`);
    }
    const item = await heraldAsync(["item", id, "--json"], env("carol"));
    expect((JSON.parse(item.stdout) as { status: string }).status).toBe("in-review");
  });

  it("approve the revision read; a draft edited since is refused and stays in review", async () => {
    const id = await draftInReview("审核期间被修改");
    const read = await shownRevision(id);

    // The editor changes the draft and submits it again while the reviewer reads.
    await asAlice("PATCH", `/items/${id}`, { title: "审核期间被修改（第二稿）" });
    const again = await asAlice("POST", `/items/${id}/submit`, {});

    const stale = await heraldAsync(["approve", id, "--revision", String(read)], env("carol"));
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain("409");
    expect(stale.stderr).toContain(`revision ${again.item.revision}, not ${read}`);
    expect(stale.stderr).toContain("nothing was done");
    const still = await heraldAsync(["item", id, "--json"], env("carol"));
    expect((JSON.parse(still.stdout) as { status: string }).status).toBe("in-review");

    const current = await shownRevision(id);
    expect(current).toBe(again.item.revision);
    const approved = await heraldAsync(
      ["approve", id, "--revision", String(current), "--json"],
      env("carol"),
    );
    expect(approved.stderr).toBe("");
    expect(approved.status).toBe(0);
    expect(JSON.parse(approved.stdout)).toEqual({ id, revision: current + 1, status: "approved" });
  });

  it("reject sends the draft back with the reason", async () => {
    const id = await draftInReview("需要退回的草稿");
    const revision = await shownRevision(id);
    const rejected = await heraldAsync(
      ["reject", id, "--revision", String(revision), "--reason", "标题请写全称", "--json"],
      env("carol"),
    );
    expect(rejected.stderr).toBe("");
    expect(JSON.parse(rejected.stdout)).toEqual({ id, revision: revision + 1, status: "draft" });
  });
});
