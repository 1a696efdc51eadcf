import type { WorkingCalendar } from "@herald/calendar";
import type { Deadline, ItemFields, Takedown } from "./item";

/**
 * How long each kind of disclosure may take. The defaults follow the work plan
 * (interpretations within 3 working days of their policy document) and common
 * practice for "double publicity" decisions (7 working days) and other
 * proactive information (20 working days).
 */
export interface DeadlineRules {
  interpretationWorkingDays: number;
  decisionWorkingDays: number;
  proactiveWorkingDays: number;
  revokedPenaltyTakedownWorkingDays: number;
  urgentHours: number;
}

export const DEFAULT_DEADLINE_RULES: DeadlineRules = {
  interpretationWorkingDays: 3,
  decisionWorkingDays: 7,
  proactiveWorkingDays: 20,
  revokedPenaltyTakedownWorkingDays: 3,
  urgentHours: 5,
};

export interface DeadlineInput {
  fields: ItemFields;
  /** When the item was created: the start for urgent items without a formation date. */
  createdAt: Date;
  /** For an interpretation: when its policy document was first published. */
  policyPublishedAt?: Date;
  takedown?: Takedown;
}

/** The deadline a version carries, or undefined when no rule applies. */
export function computeDeadline(
  calendar: WorkingCalendar,
  rules: DeadlineRules,
  input: DeadlineInput,
): Deadline | undefined {
  const { fields, takedown } = input;
  if (fields.disclosure !== "proactive") return undefined;
  const days = (from: Date, n: number, rule: string): Deadline => {
    const due = calendar.addWorkingDays(from, n);
    return { dueAt: due.dueAt, provisional: due.provisional, rule };
  };
  if (takedown) {
    if (fields.kind === "administrative-penalty" && takedown.decisionRevokedAt) {
      const n = rules.revokedPenaltyTakedownWorkingDays;
      return days(takedown.decisionRevokedAt, n, `revoked-penalty-takedown-${n}-working-days`);
    }
    return undefined;
  }
  if (fields.priority === "urgent") {
    const due = calendar.addHours(fields.dates.formedAt ?? input.createdAt, rules.urgentHours);
    return { dueAt: due.dueAt, provisional: false, rule: `urgent-${rules.urgentHours}-hours` };
  }
  if (fields.kind === "policy-interpretation" && input.policyPublishedAt) {
    const n = rules.interpretationWorkingDays;
    return days(input.policyPublishedAt, n, `interpretation-${n}-working-days`);
  }
  const decisionDate =
    fields.penalty?.decisionDate ?? fields.licence?.decisionDate ?? fields.licence?.validFrom;
  if (decisionDate) {
    const n = rules.decisionWorkingDays;
    return days(decisionDate, n, `decision-${n}-working-days`);
  }
  const n = rules.proactiveWorkingDays;
  return days(fields.dates.formedAt ?? input.createdAt, n, `proactive-${n}-working-days`);
}
