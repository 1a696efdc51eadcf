import { createHash } from "node:crypto";
import { parsePublishJobFinish, signedByPlatform } from "./wechat-events";

const push = (detail: string) =>
  "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><MsgType><![CDATA[event]]></MsgType>" +
  `<Event><![CDATA[PUBLISHJOBFINISH]]></Event><PublishEventInfo><publish_id>2247503051</publish_id>${detail}</PublishEventInfo></xml>`;

describe("a PUBLISHJOBFINISH push", () => {
  it("names the job, its status and the first article", () => {
    expect(
      parsePublishJobFinish(
        push(
          "<publish_status>0</publish_status><article_id><![CDATA[Art1]]></article_id>" +
            "<article_detail><count>1</count><item><idx>1</idx><article_url><![CDATA[https://mp.weixin.qq.com/s/x]]></article_url></item></article_detail>",
        ),
      ),
    ).toEqual({
      publishId: "2247503051",
      status: 0,
      articleId: "Art1",
      articleUrl: "https://mp.weixin.qq.com/s/x",
    });
  });

  it("reports a refusal without an article", () => {
    expect(
      parsePublishJobFinish(push("<publish_status>4</publish_status><fail_idx>1</fail_idx>")),
    ).toEqual({
      publishId: "2247503051",
      status: 4,
    });
  });

  it("is not any other event, nor a push without a job", () => {
    expect(
      parsePublishJobFinish("<xml><Event><![CDATA[subscribe]]></Event></xml>"),
    ).toBeUndefined();
    expect(parsePublishJobFinish(push(""))).toBeUndefined();
  });
});

describe("the platform's signature", () => {
  const sign = (token: string, timestamp: string, nonce: string) =>
    createHash("sha1").update([token, timestamp, nonce].sort().join("")).digest("hex");

  it("is accepted for the account's token only", () => {
    const query = new URLSearchParams({
      signature: sign("tok", "1765000000", "42"),
      timestamp: "1765000000",
      nonce: "42",
    });
    expect(signedByPlatform("tok", query)).toBe(true);
    expect(signedByPlatform("other", query)).toBe(false);
  });

  it("is refused when missing or malformed", () => {
    expect(signedByPlatform("tok", new URLSearchParams())).toBe(false);
    expect(
      signedByPlatform("tok", new URLSearchParams({ signature: "zz", timestamp: "1", nonce: "2" })),
    ).toBe(false);
  });
});
