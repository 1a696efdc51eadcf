import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ItemKind } from "@herald/contracts";
import { readAccountsFile } from "./accounts";
import { accountPolicy } from "./outlets";

function fileWith(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), "accounts-")), "accounts.json");
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

const wechat = {
  account: "gov",
  displayName: "海关发布",
  appId: "wx1",
  secretFile: "/run/secrets/wx1",
  baseUrl: "https://api.weixin.qq.com",
};
const weibo = {
  account: "gov",
  displayName: "海关发布微博",
  uid: "1",
  accessTokenFile: "/run/secrets/wb1",
  baseUrl: "https://api.weibo.com",
  safeDomains: ["www.example.gov.cn"],
};

describe("the accounts file", () => {
  it("reads accounts with their defaults", () => {
    const file = readAccountsFile(
      fileWith({
        portalBaseUrl: "https://www.example.gov.cn",
        wechat: [wechat],
        weibo: [{ ...weibo, kinds: ["news", "notice"] }],
      }),
    );
    expect(file.wechat[0]).toMatchObject({
      author: "",
      freshnessWarningDays: 10,
      freshnessFindingDays: 14,
      internal: false,
    });
    expect(file.wechat[0]?.quotas).toEqual({ draftAdd: 1000, submit: 100, get: 100, delete: 10 });
    expect(file.weibo[0]).toMatchObject({ postsPerHour: 30, commercialDelete: false });
    expect(file.weibo[0]?.kinds).toEqual([ItemKind.ITEM_KIND_NEWS, ItemKind.ITEM_KIND_NOTICE]);
  });

  it.each([
    ["2026-12-01", "2026-11-30T16:00:00.000Z"],
    ["2026-12-01T09:30:00+08:00", "2026-12-01T01:30:00.000Z"],
    ["2026-12-01T01:30:00Z", "2026-12-01T01:30:00.000Z"],
  ])("reads publishedFrom %s as %s, and puts it in the account's policy", (value, instant) => {
    const file = readAccountsFile(
      fileWith({
        portalBaseUrl: "https://www.example.gov.cn",
        weibo: [{ ...weibo, publishedFrom: value }],
      }),
    );
    const account = file.weibo[0]!;
    expect(account.publishedFrom?.toISOString()).toBe(instant);
    expect(accountPolicy("weibo", account).publishedFrom?.toISOString()).toBe(instant);
  });

  it("leaves an account without publishedFrom owed its whole history", () => {
    const file = readAccountsFile(
      fileWith({ portalBaseUrl: "https://www.example.gov.cn", wechat: [wechat] }),
    );
    expect(file.wechat[0]?.publishedFrom).toBeUndefined();
    expect("publishedFrom" in accountPolicy("wechat", file.wechat[0]!)).toBe(false);
  });

  it.each([
    [{ wechat: [wechat, wechat] }, 'wechat.1.account: account "gov" is listed twice'],
    [{ weibo: [{ ...weibo, kinds: ["gossip"] }] }, "weibo.0.kinds.0: one of news"],
    [{ wechat: [{ ...wechat, author: "一二三四五六七八九十一二三四五六七" }] }, "wechat.0.author"],
    [{ weibo: [{ ...weibo, safeDomains: [] }] }, "weibo.0.safeDomains"],
    [
      { wechat: [{ ...wechat, freshnessWarningDays: 14 }] },
      "wechat.0.freshnessFindingDays: must be greater than freshnessWarningDays",
    ],
    [{ wechat: [{ ...wechat, account: "Gov Office" }] }, "wechat.0.account: lower-case letters"],
    [{ weibo: [{ ...weibo, publishedFrom: "2026-02-30" }] }, "weibo.0.publishedFrom: an ISO date"],
    [
      { wechat: [{ ...wechat, publishedFrom: "2026-12-01T09:30:00" }] },
      "wechat.0.publishedFrom: an ISO date",
    ],
    [
      { wechat: [{ ...wechat, publishedFrom: "12/01/2026" }] },
      "wechat.0.publishedFrom: an ISO date",
    ],
    [{ weibo: [{ ...weibo, publishedFrom: 20261201 }] }, "weibo.0.publishedFrom"],
  ])("refuses %j, naming the field and the rule", (accounts, expected) => {
    const path = fileWith({ portalBaseUrl: "https://www.example.gov.cn", ...accounts });
    expect(() => readAccountsFile(path)).toThrow(expected);
  });

  it("names the file when it is not JSON", () => {
    const path = fileWith("{ not json");
    expect(() => readAccountsFile(path)).toThrow(`${path}: not readable JSON`);
  });
});
