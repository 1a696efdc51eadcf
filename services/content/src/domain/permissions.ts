import { ForbiddenError } from "./errors";
import { type Actor, type ItemRecord, type Kind, latestDisclosed, type Role } from "./item";

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

/**
 * Whether the actor may know that the item exists at all. One who may not hears
 * "not found", exactly as for an id that names nothing, so no answer tells an
 * upstream system or a channel what lies outside its kinds or is not public.
 * Editors, reviewers and upstream systems see every item of their kinds (an
 * upstream system updates and takes down items it did not create); channels see
 * only items with a public version; admins see everything.
 */
export function maySee(actor: Actor, record: ItemRecord): boolean {
  if (actor.roles.includes("admin")) return true;
  if (actor.kinds && !actor.kinds.includes(record.kind)) return false;
  if (actor.roles.some((role) => role === "editor" || role === "reviewer" || role === "upstream")) {
    return true;
  }
  return actor.roles.includes("channel") && latestDisclosed(record) !== undefined;
}
