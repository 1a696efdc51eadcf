import { createCalendar } from "@herald/calendar";
import { computeDeadline, DEFAULT_DEADLINE_RULES } from "./deadlines";
import type { ItemFields } from "./item";

const calendar = createCalendar();
const shanghai = (text: string) => new Date(`${text}+08:00`);

function fields(overrides: Partial<ItemFields>): ItemFields {
  return {
    kind: "news",
    title: "t",
    summary: "",
    body: "<p>b</p>",
    attachments: [],
    category: "",
    tags: [],
    disclosure: "proactive",
    issuingOffice: "",
    documentNumber: "",
    indexNumber: "",
    dates: {},
    targeting: { channels: [], noticeboardSites: [], audience: "public" },
    overrides: [],
    related: [],
    priority: "normal",
    ...overrides,
  };
}

const deadline = (input: Parameters<typeof computeDeadline>[2]) =>
  computeDeadline(calendar, DEFAULT_DEADLINE_RULES, input);

describe("disclosure deadlines", () => {
  it("gives an interpretation 3 working days from its policy document, across the Spring Festival", () => {
    // Published Friday 24 January 2025; Sunday 26 January is a make-up working day, then the
    // holiday runs 28 January to 4 February.
    const due = deadline({
      fields: fields({ kind: "policy-interpretation" }),
      createdAt: shanghai("2025-01-24T09:00:00"),
      policyPublishedAt: shanghai("2025-01-24T16:00:00"),
    });
    expect(due).toEqual({
      dueAt: shanghai("2025-02-05T23:59:59.999"),
      rule: "interpretation-3-working-days",
      provisional: false,
    });
  });

  it("gives penalty and licence decisions 7 working days from the decision date", () => {
    const penalty = deadline({
      fields: fields({
        kind: "administrative-penalty",
        penalty: {
          decisionNumber: "1",
          party: { name: "x", kind: "legal-person", identifier: "" },
          legalBasis: "l",
          decisionDate: shanghai("2025-09-26T00:00:00"),
          violation: "",
          penalty: "",
          decidingOffice: "",
        },
      }),
      createdAt: new Date(),
    });
    // Sunday 28 September and Saturday 11 October are make-up working days around National Day.
    expect(penalty?.rule).toBe("decision-7-working-days");
    expect(penalty?.dueAt).toEqual(shanghai("2025-10-13T23:59:59.999"));
  });

  it("gives other proactive information 20 working days from its formation", () => {
    const due = deadline({
      fields: fields({ dates: { formedAt: shanghai("2025-03-03T10:00:00") } }),
      createdAt: new Date(),
    });
    expect(due?.rule).toBe("proactive-20-working-days");
    expect(due?.dueAt).toEqual(shanghai("2025-03-31T23:59:59.999"));
  });

  it("counts urgent items in hours", () => {
    const due = deadline({
      fields: fields({ priority: "urgent", dates: { formedAt: shanghai("2025-01-28T20:00:00") } }),
      createdAt: new Date(),
    });
    expect(due).toEqual({
      dueAt: shanghai("2025-01-29T01:00:00"),
      rule: "urgent-5-hours",
      provisional: false,
    });
  });

  it("gives the takedown of a revoked penalty 3 working days and other takedowns none", () => {
    const base = {
      fields: fields({ kind: "administrative-penalty" }),
      createdAt: new Date(),
    };
    const takedown = {
      mode: "removed" as const,
      reason: "r",
      publicExplanation: "",
      at: new Date(),
    };
    expect(deadline({ ...base, takedown })).toBeUndefined();
    const revoked = deadline({
      ...base,
      takedown: { ...takedown, decisionRevokedAt: shanghai("2025-04-30T12:00:00") },
    });
    // 1-5 May 2025 is the Labour Day holiday.
    expect(revoked?.dueAt).toEqual(shanghai("2025-05-08T23:59:59.999"));
  });

  it("sets no deadline on items that are not disclosed, and flags dates in unpublished years", () => {
    expect(
      deadline({ fields: fields({ disclosure: "withheld" }), createdAt: new Date() }),
    ).toBeUndefined();
    const later = deadline({
      fields: fields({ dates: { formedAt: shanghai("2030-06-03T09:00:00") } }),
      createdAt: new Date(),
    });
    expect(later?.provisional).toBe(true);
  });
});
