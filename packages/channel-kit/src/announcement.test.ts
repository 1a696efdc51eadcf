import {
  Audience,
  ChannelAnnouncement,
  ItemKind,
  ItemStatus,
  TakedownKind,
  type ItemState,
} from "@herald/contracts";
import {
  announcementOf,
  checkAnnounceable,
  inventoryAddress,
  policyFromAnnouncement,
} from "./announcement";
import { type ChannelPolicy, expectedPresence } from "./policy";
import { itemState } from "./testing";

const AT = new Date("2026-11-27T06:00:00Z");

/** Through the announcement and its protobuf encoding, as the reconciler receives it. */
function roundTrip(policy: ChannelPolicy): ChannelPolicy {
  const sent = announcementOf(policy, "10.0.0.7:50100", "portal-1", AT);
  const received = ChannelAnnouncement.decode(ChannelAnnouncement.encode(sent).finish());
  return policyFromAnnouncement(received);
}

const policies: Record<string, ChannelPolicy> = {
  "everything absent": { name: "recorder" },
  "every field set": {
    name: "portal",
    kinds: [ItemKind.ITEM_KIND_NEWS, ItemKind.ITEM_KIND_POLICY_DOCUMENT],
    audiences: [Audience.AUDIENCE_PUBLIC, Audience.AUDIENCE_INTERNAL],
    keepsWithdrawn: true,
    keepsExpired: true,
  },
  "kinds only": { name: "hotline-kb", kinds: [ItemKind.ITEM_KIND_HOTLINE_QA] },
  "audiences only": {
    name: "intranet",
    audiences: [Audience.AUDIENCE_INTERNAL],
    keepsWithdrawn: false,
  },
  "an account with categories, freshness and a start date": {
    name: "newmedia",
    outletId: "weibo:gov",
    categories: ["海关动态"],
    freshness: { warningDays: 10, findingDays: 14 },
    publishedFrom: new Date("2026-12-01T00:00:00+08:00"),
  },
};

const states: ItemState[] = [
  itemState("a", 1),
  itemState("b", 1, { kind: ItemKind.ITEM_KIND_HOTLINE_QA }),
  itemState("c", 1, { targeting: { audience: Audience.AUDIENCE_INTERNAL } }),
  itemState("d", 1, { targeting: { channels: ["portal"] } }),
  itemState("old", 3, {
    category: "海关动态",
    dates: { publishedAt: new Date("2016-03-01T09:30:00+08:00") },
  }),
  itemState("new", 1, {
    category: "海关动态",
    dates: { publishedAt: new Date("2026-12-01T00:00:00+08:00") },
  }),
  itemState("e", 2, { status: ItemStatus.ITEM_STATUS_EXPIRED }),
  itemState("f", 2, {
    status: ItemStatus.ITEM_STATUS_RETRACTED,
    takedown: { kind: TakedownKind.TAKEDOWN_KIND_WITHDRAWN, reason: "r", publicExplanation: "p" },
  }),
];

describe("channel announcements", () => {
  it.each(Object.entries(policies))("carry a policy there and back unchanged: %s", (_, policy) => {
    const back = roundTrip(policy);
    // Absent booleans come back as false, which is what they mean.
    expect(back).toEqual({ keepsWithdrawn: false, keepsExpired: false, ...policy });
    expect("kinds" in back).toBe(policy.kinds !== undefined);
    expect("audiences" in back).toBe(policy.audiences !== undefined);
    expect("publishedFrom" in back).toBe(policy.publishedFrom !== undefined);
    for (const state of states) {
      expect(expectedPresence(back, state)).toEqual(expectedPresence(policy, state));
    }
  });

  it("say where the inventory answers, which instance spoke and when", () => {
    const sent = announcementOf(policies["every field set"]!, "10.0.0.7:50100", "portal-1", AT);
    expect(sent).toMatchObject({
      name: "portal",
      inventoryAddress: "10.0.0.7:50100",
      instance: "portal-1",
      announcedAt: AT,
    });
    expect(announcementOf({ name: "recorder" }, "h:1", "i", AT)).toMatchObject({
      kinds: [],
      audiences: [],
    });
  });

  it("refuse a policy with an empty list, which the wire would read as its opposite", () => {
    expect(() => checkAnnounceable({ name: "nothing", kinds: [] })).toThrow(
      /policy.kinds is empty/,
    );
    expect(() => announcementOf({ name: "nobody", audiences: [] }, "h:1", "i", AT)).toThrow(
      /policy.audiences is empty/,
    );
  });

  it("advertise a dialable inventory address", () => {
    expect(inventoryAddress("127.0.0.1", undefined, 50100)).toBe("127.0.0.1:50100");
    expect(inventoryAddress("0.0.0.0", undefined, 50100)).toBe("127.0.0.1:50100");
    expect(inventoryAddress("::", undefined, 50100)).toBe("127.0.0.1:50100");
    expect(inventoryAddress("0.0.0.0", "portal-0.portal", 50100)).toBe("portal-0.portal:50100");
    expect(inventoryAddress("::", "fd00::7", 50100)).toBe("[fd00::7]:50100");
  });
});
