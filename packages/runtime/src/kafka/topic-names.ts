import type { TopicSpec } from "@herald/contracts";

/** The topic's name in this deployment: the optional prefix, then the declared name. */
export function topicName(spec: Pick<TopicSpec<unknown>, "name">, prefix?: string): string {
  return `${prefix ?? ""}${spec.name}`;
}
