import type { RelayStatus } from "./outbox/relay";

/** The content service's metrics in the Prometheus text format. */
export function contentMetrics(relay: RelayStatus): string {
  const lines: string[] = [];
  const metric = (name: string, type: "gauge" | "counter", help: string, value: number) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
  };
  metric(
    "herald_content_relay_leader",
    "gauge",
    "1 while this instance relays the outbox",
    relay.leader ? 1 : 0,
  );
  metric(
    "herald_content_outbox_sent_total",
    "counter",
    "item states this instance put on herald.items.v1",
    relay.produced,
  );
  metric(
    "herald_content_outbox_set_aside",
    "gauge",
    "items the relay could not send and set aside, as of its last pass",
    relay.setAside,
  );
  metric(
    "herald_content_outbox_set_aside_oldest_seconds",
    "gauge",
    "how long the oldest set-aside item has waited",
    relay.oldestSetAsideAt ? Math.round((Date.now() - relay.oldestSetAsideAt.getTime()) / 1000) : 0,
  );
  metric(
    "herald_content_outbox_set_aside_total",
    "counter",
    "items set aside by this instance, counting each failed retry",
    relay.setAsideTotal,
  );
  metric(
    "herald_content_relay_producer_recreations_total",
    "counter",
    "Kafka producers the relay replaced after a stuck state or a failed send",
    relay.producerRecreations,
  );
  return `${lines.join("\n")}\n`;
}
