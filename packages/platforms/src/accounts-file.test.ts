import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoAccounts, readAccountsFile } from "./accounts-file";

describe("readAccountsFile", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "platforms-accounts-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (content: unknown): string => {
    const file = join(dir, "accounts.json");
    writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
    return file;
  };

  it("reads the seeds the demo accounts are made of", () => {
    const seeds = demoAccounts({ wechatSecret: "s", weiboAccessToken: "t" });
    expect(readAccountsFile(write(seeds))).toEqual(seeds);
  });

  it.each([
    [{ wechat: [{ appId: "wx1", name: "n" }] }, "wechat[0].secret must be a non-empty string"],
    [
      { weibo: [{ uid: "1", accessToken: "t", name: "n" }] },
      "weibo[0].safeDomains must be an array of host names",
    ],
    [
      { weibo: [{ uid: "1", accessToken: "t", name: "n", safeDomains: ["a"], postsPerHour: 0 }] },
      "weibo[0].postsPerHour must be an integer >= 1",
    ],
    [
      { wechat: [{ appId: "wx1", secret: "s", name: "n", quotas: { "draft/add": -1 } }] },
      "wechat[0].quotas.draft/add must be an integer >= 0",
    ],
    ["{not json", "cannot be read as JSON"],
  ])("names the field and the rule of a bad file (%#)", (content, message) => {
    expect(() => readAccountsFile(write(content))).toThrow(message);
  });
});
