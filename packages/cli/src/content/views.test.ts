import { formatItem, type ItemView } from "./views";

const item: ItemView = {
  id: "news-1",
  revision: 4,
  kind: "news",
  status: "published",
  updatedAt: "2026-12-05T10:00:00.000Z",
  draft: null,
  current: {
    version: 1,
    status: "published",
    fields: { title: "开放日", kind: "news" },
    publishedAt: "2026-12-05T10:00:00.000Z",
    at: "2026-12-05T10:00:00.000Z",
  },
  versionCount: 1,
};

describe("formatItem", () => {
  it("shows the revision, and for a draft in review how to approve or reject it", () => {
    expect(formatItem(item)).toContainEqual(expect.stringMatching(/^ {2}revision +4$/));
    const inReview = { ...item, draft: { status: "in-review", fields: { title: "开放日" } } };
    expect(formatItem(inReview)).toContainEqual(
      expect.stringMatching(
        /^ {2}revision +4 \(in review: herald approve\|reject news-1 --revision 4\)$/,
      ),
    );
  });

  it("says when the relay set the item aside, and why", () => {
    const lines = formatItem({
      ...item,
      relay: {
        state: "set-aside",
        since: "2026-12-05T10:00:01.000Z",
        reason: "the broker refused the message (MESSAGE_TOO_LARGE; the message is 90000 bytes)",
        retryAt: "2026-12-05T10:02:01.000Z",
      },
    });
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}relay +set aside since 2026-12-05T10:00:01.000Z: the broker refused the message \(MESSAGE_TOO_LARGE/,
      ),
    );
  });

  it("shows an announced item's relay state in one word, and no line without a public version", () => {
    expect(formatItem({ ...item, relay: { state: "announced" } })).toContainEqual(
      expect.stringMatching(/^ {2}relay +announced$/),
    );
    expect(formatItem({ ...item, relay: null }).some((l) => l.includes("relay"))).toBe(false);
  });
});
