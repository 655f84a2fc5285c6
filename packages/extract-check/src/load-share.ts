import type { Sample } from "./prometheus.ts";
import type { CheckRow } from "./types.ts";

export interface DomainLoad {
  domain: string;
  fetches: number;
  seconds: number;
}

/** Fetch counts and time per subgraph, summed over every other label (operation, status...). */
export function loadByDomain(samples: readonly Sample[], histogram: string, label: string): DomainLoad[] {
  const loads = new Map<string, DomainLoad>();
  for (const sample of samples) {
    const kind = sample.name === `${histogram}_count` ? "fetches" : sample.name === `${histogram}_sum` ? "seconds" : undefined;
    const domain = sample.labels[label];
    if (!kind || domain === undefined || !Number.isFinite(sample.value)) continue;
    const load = loads.get(domain) ?? { domain, fetches: 0, seconds: 0 };
    load[kind] += sample.value;
    loads.set(domain, load);
  }
  return [...loads.values()].sort((a, b) => a.domain.localeCompare(b.domain));
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const ratioOf = (value: number, reference: number) => (reference > 0 ? value / reference : value > 0 ? Number.POSITIVE_INFINITY : 0);
const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
const times = (ratio: number) => (Number.isFinite(ratio) ? `${ratio.toFixed(1)}x` : "∞x");

export function checkLoadShare(domain: string, source: string | undefined, loads: DomainLoad[] | undefined, options: { histogram: string; label: string; flagRatio: number }): CheckRow {
  const base = { id: "load-share" as const, title: "Load share (a reason to split)", required: false, verdict: "info" as const };
  if (!source || !loads) {
    return { ...base, summary: "no metrics given (--metrics <url or saved scrape>)", evidence: [`reads ${options.histogram}_count and _sum by label ${options.label}`] };
  }
  const total = loads.reduce((sum, load) => ({ fetches: sum.fetches + load.fetches, seconds: sum.seconds + load.seconds }), { fetches: 0, seconds: 0 });
  const mine = loads.find((load) => load.domain === domain);
  if (loads.length === 0 || total.fetches === 0) {
    return { ...base, summary: `no ${options.histogram} samples in ${source}`, evidence: [`expected ${options.histogram}_count{${options.label}="..."}; another name? --metrics-histogram, --metrics-label`], data: { source, loads } };
  }
  const others = loads.filter((load) => load.domain !== domain);
  const fetchRatio = ratioOf(mine?.fetches ?? 0, median(others.map((load) => load.fetches)));
  const timeRatio = ratioOf(mine?.seconds ?? 0, median(others.map((load) => load.seconds)));
  const flag = fetchRatio >= options.flagRatio || timeRatio >= options.flagRatio;
  const evidence = [
    `${source}: ${options.histogram} by ${options.label}`,
    ...loads.map((load) => `${load.domain}: ${load.fetches} fetches (${percent(load.fetches / total.fetches)}), ${load.seconds.toFixed(3)} s (${total.seconds > 0 ? percent(load.seconds / total.seconds) : "n/a"})`),
  ];
  const summary = `${domain}: ${percent((mine?.fetches ?? 0) / total.fetches)} of fetches, ${total.seconds > 0 ? percent((mine?.seconds ?? 0) / total.seconds) : "n/a"} of fetch time; ${times(fetchRatio)} / ${times(timeRatio)} the median other domain${flag ? ` (>= ${options.flagRatio}x: a reason to split)` : ` (under ${options.flagRatio}x: no scaling reason to split)`}`;
  return { ...base, summary, evidence, flag, data: { source, loads, fetchRatio, timeRatio, flagRatio: options.flagRatio } };
}
