/**
 * Figure 4: the memory of one portal process holding every item, after applying
 * them from the stream and again after a restart, which reloads every holding
 * from the portal's database before it is ready.
 */
import { ItemStatus } from "@herald/contracts";
import { heapProfileSites } from "./portal-heap";
import { PortalProcess } from "./portal-process";
import type { MemoryFigures } from "./portal-figures";
import { mib } from "./portal-report";
import { random, sampleSentences, syntheticItem } from "./portal-search";
import { type PortalBench, ReceiptLog, note, waitForCount } from "./portal-stack";

export interface MemoryOptions {
  items: number;
  stallMs: number;
  signal: AbortSignal;
  /** A sampling heap profile of the applying portal, summarised when it stops. */
  heapProfile?: boolean;
}

export async function memoryRun(
  bench: PortalBench,
  options: MemoryOptions,
): Promise<MemoryFigures> {
  const { items, signal } = options;
  const ns = bench.namespace("memory");
  try {
    await bench.createTopics(ns);
    note(`memory: producing ${items} items…`);
    const sentences = sampleSentences();
    const next = random(2016);
    const sample: string[] = [];
    const produced = await bench.produce(
      ns,
      items,
      (n) => {
        const item = syntheticItem(n, sentences, next);
        if (n % Math.ceil(items / 20) === 0 && item.status === ItemStatus.ITEM_STATUS_PUBLISHED) {
          sample.push(item.id);
        }
        return item;
      },
      signal,
    );
    note(
      `memory: produced in ${produced.seconds.toFixed(1)} s ` +
        `(${(produced.bytes / 2 ** 20).toFixed(0)} MiB of bodies); starting the portal…`,
    );
    const receipts = await ReceiptLog.start(bench, ns);
    const names = { db: "portal", group: "portal" };
    const portal = await PortalProcess.start(bench, ns, {
      ...names,
      run: "1",
      heapProfile: options.heapProfile ?? false,
    });
    const readyMs = (await portal.ready()) - portal.spawnedAt;
    let lastCount = 0;
    let lastTick = Date.now();
    const missing = await waitForCount(() => receipts.count, items, {
      stallMs: options.stallMs,
      everyMs: 5000,
      signal,
      tick: () => {
        const now = Date.now();
        const rate = ((receipts.count - lastCount) * 1000) / (now - lastTick);
        const { first } = receipts.span();
        const overall = receipts.count ? (receipts.count * 1000) / (now - first) : 0;
        lastCount = receipts.count;
        lastTick = now;
        const { rss, hwm } = portal.memory();
        note(
          `  memory: applied ${receipts.count}/${items}, ${rate.toFixed(0)}/s now, ` +
            `${overall.toFixed(0)}/s overall, RSS ${mib(rss)} (peak ${mib(hwm)})`,
        );
      },
    });
    const { first, last } = receipts.span();
    const applySeconds = (last - first) / 1000;
    const applied = portal.memory();
    note(
      `memory: ${receipts.count} applied in ${applySeconds.toFixed(1)} s; ` +
        `RSS ${mib(applied.rss)}, peak ${mib(applied.hwm)}; restarting…`,
    );
    const stopMs = await portal.stop();
    if (options.heapProfile) {
      const sites = heapProfileSites(portal.profileDir);
      note(
        sites
          ? `memory: live at the applying portal's stop (sampled heap, MiB; ${portal.profileDir}):\n` +
              sites.map(([site, mb]) => `  ${mb.toFixed(1).padStart(7)}  ${site}`).join("\n")
          : `memory: no heap profile in ${portal.profileDir}`,
      );
    }
    const again = await PortalProcess.start(bench, ns, { ...names, run: "2" });
    const reloadReadyMs = (await again.ready()) - again.spawnedAt;
    const reloaded = again.memory();
    note(
      `memory: ready again ${(reloadReadyMs / 1000).toFixed(1)} s after spawn, RSS ${mib(reloaded.rss)}`,
    );
    const pagesOk = await again.pagesAnswering(sample);
    const searchBuiltMs = (await again.searchBuilt()) - again.spawnedAt;
    const searched = again.memory();
    note(
      `memory: search built ${(searchBuiltMs / 1000).toFixed(1)} s after spawn, ` +
        `RSS ${mib(searched.rss)}, peak ${mib(searched.hwm)}`,
    );
    await again.stop();
    return {
      items,
      produceSeconds: produced.seconds,
      readyMs,
      applySeconds,
      itemsPerS: receipts.count / applySeconds,
      missing,
      rss: applied.rss,
      hwm: applied.hwm,
      stopMs,
      reloadReadyMs,
      reloadRss: reloaded.rss,
      reloadHwm: searched.hwm,
      searchBuiltMs,
      searchedRss: searched.rss,
      pagesOk,
      pagesSampled: sample.length,
    };
  } finally {
    await bench.clean(ns);
  }
}
