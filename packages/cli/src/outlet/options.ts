import { ItemKind } from "@herald/contracts";
import { CommandError } from "../content/errors";
import type { OutletAddRequest } from "./client";

/**
 * The gateway's rule for outlet names (ADR 007): `outlet-<name>` must be a valid
 * channel name. Checked here too, so a typo is refused before any request.
 */
export const OUTLET_NAME = /^[a-z][a-z0-9-]{0,55}$/;

/** Kinds as the admin API spells them: ITEM_KIND_POLICY_DOCUMENT → "policy-document". */
export const KIND_NAMES: readonly string[] = Object.entries(ItemKind)
  .filter(([, value]) => typeof value === "number" && value > ItemKind.ITEM_KIND_UNSPECIFIED)
  .map(([key]) =>
    key
      .replace(/^ITEM_KIND_/, "")
      .toLowerCase()
      .replace(/_/g, "-"),
  );

export const AUDIENCE_NAMES: readonly string[] = ["public", "internal"];

/** What `--kinds` takes to mean every kind, present and future. */
export const ALL_KINDS = "all";

export function checkOutletName(name: string): string {
  if (!OUTLET_NAME.test(name)) {
    throw new CommandError(
      `name: ${JSON.stringify(name)} breaks the rule outlet-name (${OUTLET_NAME.source}): lower-case letters, digits and dashes, starting with a letter, at most 56 characters`,
    );
  }
  return name;
}

/** A comma-separated option's values, trimmed, without empty ones. */
const listOf = (value: string): string[] =>
  value
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");

function checkList(field: string, value: string, allowed: readonly string[]): string[] {
  const values = listOf(value);
  if (values.length === 0) {
    throw new CommandError(`${field}: empty; expected one or more of ${allowed.join(", ")}`);
  }
  const unknown = values.filter((v) => !allowed.includes(v));
  if (unknown.length > 0) {
    throw new CommandError(
      `${field}: unknown ${unknown.map((v) => JSON.stringify(v)).join(", ")}; expected one or more of ${allowed.join(", ")}`,
    );
  }
  return [...new Set(values)];
}

export interface AddOptions {
  kinds: string;
  audiences?: string;
  keepsWithdrawn?: boolean;
  keepsExpired?: boolean;
}

/** `herald outlet add`'s arguments as the admin API's request, or an error naming the field. */
export function addRequestOf(name: string, options: AddOptions): OutletAddRequest {
  const kinds =
    options.kinds.trim() === ALL_KINDS
      ? []
      : checkList("--kinds", options.kinds, [...KIND_NAMES, ALL_KINDS]);
  if (kinds.includes(ALL_KINDS)) {
    throw new CommandError(`--kinds: "${ALL_KINDS}" stands alone; it means every kind`);
  }
  return {
    name: checkOutletName(name),
    kinds,
    ...(options.audiences === undefined
      ? {}
      : { audiences: checkList("--audiences", options.audiences, AUDIENCE_NAMES) }),
    keepsWithdrawn: options.keepsWithdrawn === true,
    keepsExpired: options.keepsExpired === true,
  };
}
