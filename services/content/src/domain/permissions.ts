import { ForbiddenError } from "./errors";
import type { Actor, Kind, Role } from "./item";

/**
 * Who may do what. Least privilege: editors write drafts, reviewers approve and
 * take down, admins may do both and publish without review; upstream systems
 * publish and take down directly, limited to the kinds their credentials name;
 * channels only read what is public, to fetch an item's current state again.
 */
const ALLOWED: Record<string, readonly Role[]> = {
  read: ["editor", "reviewer", "admin"],
  create: ["editor", "admin"],
  edit: ["editor", "admin"],
  submit: ["editor", "admin"],
  approve: ["reviewer", "admin"],
  reject: ["reviewer", "admin"],
  publish: ["editor", "reviewer", "admin"],
  "publish-direct": ["admin", "upstream"],
  takedown: ["reviewer", "admin", "upstream"],
  "disclosure-review": ["reviewer", "admin"],
  "read-public": ["editor", "reviewer", "admin", "upstream", "channel"],
  /** Asking the outbox relay to send an item again (after it was set aside). */
  announce: ["admin"],
};

export type Action = keyof typeof ALLOWED;

export function authorize(actor: Actor, action: Action, kind?: Kind): void {
  const allowed = ALLOWED[action] ?? [];
  if (!actor.roles.some((role) => allowed.includes(role))) {
    throw new ForbiddenError(
      `${actor.name} (${actor.roles.join(", ") || "no role"}) may not ${action}; it needs one of: ${allowed.join(", ")}`,
    );
  }
  if (kind && actor.kinds && !actor.kinds.includes(kind) && !actor.roles.includes("admin")) {
    throw new ForbiddenError(`${actor.name} may not ${action} items of kind ${kind}`);
  }
}
