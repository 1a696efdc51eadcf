/**
 * What every renderer returns when an item cannot be shown on a platform as it
 * stands: the pipeline records it as a receipt and sends nothing, so a platform
 * never gets a request it would refuse.
 */
export interface RenderRefusal {
  ok: false;
  /** DECLINED: the item is not for this outlet; REJECTED: it is, but must be changed first. */
  outcome: "DECLINED" | "REJECTED";
  /** A stable rule identifier, e.g. "wechat.title_too_long". */
  rule: string;
  /** A Chinese sentence for operators naming the field, the limit and the size found. */
  message: string;
}

export function rejected(rule: string, message: string): RenderRefusal {
  return { ok: false, outcome: "REJECTED", rule, message };
}
