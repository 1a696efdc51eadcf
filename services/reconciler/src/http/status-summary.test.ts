import type { ItemStatus } from "../model";
import { statusSummary } from "./status-summary";

describe("statusSummary", () => {
  it("gives each channel the version it holds, else the version it should hold", () => {
    const status: ItemStatus = {
      itemId: "kb-notice-2016-41",
      version: 3,
      title: "关于加强知识库管理的通知",
      kind: "policy-document",
      office: "海关总署办公厅",
      status: "published",
      channels: [
        { channel: "portal", state: "delivered", expectedVersion: 3, heldVersion: 3 },
        { channel: "newmedia", state: "stale", expectedVersion: 3, heldVersion: 2 },
        { channel: "noticeboard", state: "missing", expectedVersion: 3, heldVersion: 0 },
        { channel: "hotline-kb", state: "declined", expectedVersion: 0, heldVersion: 0 },
        { channel: "wechat", state: "removed", expectedVersion: 0, heldVersion: 0 },
        { channel: "__proto__", state: "unexpected", expectedVersion: 0, heldVersion: 1 },
      ],
    };
    const summary = statusSummary(status);
    // The exact JSON the CLI prints, key order and all.
    expect(JSON.stringify(summary)).toBe(
      '{"id":"kb-notice-2016-41","version":3,"channels":{' +
        '"portal":{"state":"delivered","version":3},' +
        '"newmedia":{"state":"stale","version":2},' +
        '"noticeboard":{"state":"missing","version":3},' +
        '"hotline-kb":{"state":"declined","version":0},' +
        '"wechat":{"state":"removed","version":3},' +
        '"__proto__":{"state":"unexpected","version":1}}}',
    );
    expect(Object.keys(summary.channels)).toEqual([
      "portal",
      "newmedia",
      "noticeboard",
      "hotline-kb",
      "wechat",
      "__proto__",
    ]);
  });

  it("keeps an item without channels as an empty map", () => {
    expect(
      statusSummary({
        itemId: "x",
        version: 0,
        title: "",
        kind: "news",
        office: "",
        status: "published",
        channels: [],
      }),
    ).toEqual({ id: "x", version: 0, channels: {} });
  });

  it("adds unreachable to the line of an outlet that could not be audited, and nothing elsewhere", () => {
    const summary = statusSummary({
      itemId: "a",
      version: 2,
      title: "t",
      kind: "notice",
      office: "o",
      status: "published",
      channels: [
        {
          channel: "outlet-registry",
          state: "pending",
          expectedVersion: 2,
          heldVersion: 0,
          unreachable: true,
        },
        { channel: "portal", state: "delivered", expectedVersion: 2, heldVersion: 2 },
      ],
    });
    expect(JSON.stringify(summary.channels)).toBe(
      '{"outlet-registry":{"state":"pending","version":2,"unreachable":true},' +
        '"portal":{"state":"delivered","version":2}}',
    );
  });
});
