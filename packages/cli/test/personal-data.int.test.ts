import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { useTestNamespace } from "@herald/test-harness";
import {
  type ContentService,
  cliEnv,
  heraldAsync,
  startTestContent,
  tempDir,
  writeFile,
} from "./content-support";

// The CLI publishes through the content service's HTTP API, so it meets the same
// personal-data and text rules as any editor: these check it end to end, from a
// file on disk to the refusal printed.

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
const ns = useTestNamespace("cli-personal-data");
let content: ContentService;
const dir = tempDir("cli-personal-data");
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  content = await startTestContent(ns);
  env = cliEnv(content);
});

const uniqueId = (label: string) => `${label}-${randomBytes(4).toString("hex")}`;

async function expectNotStored(id: string): Promise<void> {
  const item = await heraldAsync(["item", id], env);
  expect(item.stderr).toContain("herald: the content service answered 404 not_found");
}

describe("herald publish and personal data", () => {
  it("refuses a mobile split across Markdown emphasis, and a full-width ID in the front matter", async () => {
    const id = uniqueId("cli-pii");
    const file = writeFile(
      dir,
      "notice.md",
      [
        "---",
        `id: ${id}`,
        "kind: notice",
        "title: 关于开放日的通知",
        "category: 通知 １１０１０５ １９４９１２３１ ００２Ｘ",
        "---",
        "",
        "咨询电话 **138**1234*5678*。",
        "",
      ].join("\n"),
    );
    const result = await heraldAsync(["publish", file, "--json"], env);
    expect(result.status).toBe(1);
    const stderr = result.stderr.split("\n");
    expect(stderr[0]).toBe("herald: the item was refused (2 problems):");
    expect(
      stderr.some((l) =>
        /^ {2}body: contains a mobile number .+ \[personal-data\.mobile\]$/.test(l),
      ),
    ).toBe(true);
    expect(
      stderr.some((l) =>
        /^ {2}category: contains an ID number .+ \[personal-data\.id-number\]$/.test(l),
      ),
    ).toBe(true);
    await expectNotStored(id);
  });

  it("refuses a bidi override in a title, naming the field and the rule", async () => {
    const id = uniqueId("cli-bidi");
    const file = writeFile(dir, "bidi.json", {
      id,
      kind: "news",
      title: "年度报告\u202efdp.exe",
      body: "<p>正文</p>",
    });
    const result = await heraldAsync(["publish", file, "--json"], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^ {2}title: contains a bidirectional-text control \(U\+202E\) .+ \[text\.bidi-control\]$/m,
    );
    await expectNotStored(id);
  });
});
