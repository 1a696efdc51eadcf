import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ItemKind, ItemState } from "@herald/contracts";
import { ROOT, useTestNamespace } from "@herald/test-harness";
import {
  type ContentService,
  ItemsTopic,
  cliEnv,
  heraldAsync,
  startTestContent,
} from "./content-support";

// Declared before the namespace, so it runs before the namespace's clean-up deletes the topics.
afterAll(async () => {
  await topic.stop();
});
const ns = useTestNamespace("cli-seed");
const topic = new ItemsTopic(ns);
let content: ContentService;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  content = await startTestContent(ns);
  env = cliEnv(content);
  await topic.start();
});

const SEEDED = [
  { id: "customs-disclosure-2016", kind: "policy-document", version: 1 },
  { id: "customs-disclosure-2016-interpretation", kind: "policy-interpretation", version: 1 },
  { id: "penalty-2016-huanggang-0186", kind: "administrative-penalty", version: 1 },
  { id: "notice-2016-service-hall-hours", kind: "notice", version: 1 },
  { id: "hotline-qa-inbound-duty-free-allowance", kind: "hotline-qa", version: 1 },
];
const ID_NUMBER = "440304198503127717";
const MOBILE = "13912345678";

async function seed(...args: string[]) {
  const result = await heraldAsync(["seed", ...args], env);
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  return result.stdout;
}

describe("herald seed", () => {
  it("publishes the five demo items, each on the topic as an ItemState", async () => {
    const stdout = await seed("--json");
    expect(stdout).toBe(`${JSON.stringify(SEEDED)}\n`);
    const states = await Promise.all(SEEDED.map(({ id }) => topic.waitFor(id, 1)));
    const [work, interpretation, , notice] = states.map((m) => m.state);

    expect(work?.kind).toBe(ItemKind.ITEM_KIND_POLICY_DOCUMENT);
    expect(work?.title).toBe("海關總署辦公廳關于印發《2016年海關政務公開工作要點》的通知");
    expect(work?.documentNumber).toBe("署辦發〔2016〕30號");
    expect(work?.issuingOffice).toBe("海关总署办公厅");
    expect(work?.bodyHtml).toContain("<h2>一、重點公開海關圍繞中心工作全面履職的信息</h2>");
    expect(work?.bodyHtml).toMatch(/^<p>主送機關: 廣東分署/);
    expect(work?.bodyHtml).not.toMatch(/\((fā|zhí|yè)\)/);
    expect(interpretation?.related).toEqual([
      expect.objectContaining({ itemId: "customs-disclosure-2016" }),
    ]);
    expect(notice?.targeting?.noticeboardSites).toEqual([
      "huanggang-service-hall",
      "futian-service-hall",
    ]);
  });

  it("masks the penalty's ID and mobile numbers before anything reaches the topic", async () => {
    const { value, state } = await topic.waitFor("penalty-2016-huanggang-0186", 1);
    expect(value.includes(ID_NUMBER)).toBe(false);
    expect(value.includes(MOBILE)).toBe(false);
    // The whole state, re-encoded field by field, carries no 18-character ID number.
    const text = JSON.stringify(ItemState.toJSON({ ...state, checksum: "", trace: undefined }));
    expect(text).not.toMatch(/(?<![0-9A-Za-z])[0-9]{17}[0-9X](?![0-9A-Za-z])/);
    const penalty = state.details?.$case === "penalty" ? state.details.value : undefined;
    expect(penalty?.party?.identifier).toBe("440304********7717");
    expect(state.bodyHtml).toContain("公民身份号码440304********7717，联系电话139****5678");
    expect(penalty?.violation).toContain("联系电话139****5678");
  });

  it("returns the same items when run again, and lists them with their adjustments", async () => {
    const stdout = await seed();
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`published 5 demo items to ${env.HERALD_CONTENT_URL}:`);
    for (const { id, kind } of SEEDED) {
      expect(lines.some((l) => l.startsWith(`  ${id} `) && l.includes(` ${kind} `))).toBe(true);
    }
    expect(lines).toContain("    changed by the service:");
    expect(lines.some((l) => l.includes("[personal-data.masked.id-number]"))).toBe(true);
    expect(await seed("--json")).toBe(`${JSON.stringify(SEEDED)}\n`);
  });
});

describe("examples/items", () => {
  const dir = join(ROOT, "examples", "items");
  const files = readdirSync(dir)
    .filter((f) => /\.(json|md)$/.test(f) && f !== "README.md")
    // The policy document first; the interpretation also needs the seeded work plan.
    .sort(
      (a, b) => Number(b.startsWith("policy-document")) - Number(a.startsWith("policy-document")),
    );

  it("has one file of each of the ten kinds", () => {
    expect(files.map((f) => f.replace(/\.(json|md)$/, "")).sort()).toEqual(
      [
        "administrative-licence",
        "administrative-penalty",
        "consultation-draft",
        "hotline-qa",
        "news",
        "notice",
        "policy-document",
        "policy-interpretation",
        "power-responsibility-entry",
        "service-guide",
      ].sort(),
    );
  });

  it("publishes every file as it is, each at version 1 on the topic", async () => {
    await seed("--json"); // publishes customs-disclosure-2016, which the interpretation names
    for (const file of files) {
      const result = await heraldAsync(["publish", join(dir, file), "--json"], env);
      expect({ file, stderr: result.stderr, status: result.status }).toEqual({
        file,
        stderr: "",
        status: 0,
      });
      const { id, version } = JSON.parse(result.stdout) as { id: string; version: number };
      expect(version).toBe(1);
      const { state } = await topic.waitFor(id, 1);
      expect(state.title).not.toBe("");
      expect(state.bodyHtml).not.toBe("");
    }
    // Publishing the seeded files again with the same content made no new version.
    for (const { id } of SEEDED) expect(topic.of(id).map((m) => m.state.version)).toEqual([1]);
  });
});
