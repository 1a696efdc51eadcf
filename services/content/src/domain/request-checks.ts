import { BadRequestError, ValidationError } from "./errors";
import { currentVersion, type ItemRecord } from "./item";
import type { TakedownRequest } from "./workflow";

/** Checks of a request's own fields, made before any transition runs. */

export function requireText(field: string, value: string, message: string): void {
  if (!value.trim()) throw new ValidationError([{ field, rule: "required", message }]);
}

/**
 * The revision a reviewer read. Approving or rejecting without it would act on
 * whatever the draft is now, which may not be what was read.
 */
export function requireRevision(
  revision: number | undefined,
  action: "approve" | "reject",
): number {
  if (revision === undefined) {
    throw new BadRequestError([
      {
        field: "revision",
        rule: "required",
        message: `${action} needs the revision you reviewed (the item's revision when you read it), so that what you ${action} is what you read`,
      },
    ]);
  }
  return revision;
}

/**
 * A takedown's reason, successor and public explanation. `successor` is the item
 * `replacedBy` names, when it exists and the caller may see it.
 */
export function checkTakedownRequest(
  id: string,
  request: TakedownRequest,
  successor: ItemRecord | undefined,
): void {
  requireText("reason", request.reason, "every takedown needs a reason");
  if (request.mode === "replaced") {
    requireText("replacedBy", request.replacedBy ?? "", "a replaced item must name its successor");
    const current = successor ? currentVersion(successor) : undefined;
    if (current?.status !== "published" || request.replacedBy === id) {
      throw new ValidationError([
        {
          field: "replacedBy",
          rule: "published-item",
          message: `${request.replacedBy} must be another published item`,
        },
      ]);
    }
  } else if (request.replacedBy) {
    throw new ValidationError([
      {
        field: "replacedBy",
        rule: "only-when-replaced",
        message: "only a replaced item names a successor",
      },
    ]);
  }
  if (request.mode === "withdrawn" && !request.publicExplanation?.trim()) {
    throw new ValidationError([
      {
        field: "publicExplanation",
        rule: "required",
        message: "a withdrawn item keeps a public page: give the explanation shown there",
      },
    ]);
  }
}
