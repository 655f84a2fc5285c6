import type { Registry } from "prom-client";

/**
 * A Prometheus histogram for the request path, registered with prom-client's registry, which formats it as it formats
 * its own (the test compares the two expositions line for line). Why not prom-client's `Histogram`: it keys each
 * series' bucket counts by the bucket's upper bound as a number, so every `observe` converts that double to a string
 * twice. That made one observation cost about 3 µs on these machines, and a MyOrders makes eleven (five statements,
 * four fetches, the operation, the HTTP request). Here each series keeps its counts in a Float64Array: an observation
 * is a map lookup and a scan of a dozen numbers (docs/adr/0013-observability.md, "Histograms on the request path").
 */
export class RequestPathHistogram<Label extends string> {
  readonly type = "histogram";
  readonly aggregator = "sum";
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly Label[],
    private readonly upperBounds: readonly number[],
    registers: readonly Registry[],
  ) {
    if (labelNames.length === 0) throw new Error(`${name}: a request-path histogram needs at least one label`);
    if (upperBounds.some((bound, i) => !(bound > (upperBounds[i - 1] ?? -Infinity)))) throw new Error(`${name}: bucket bounds must increase`);
    // prom-client's Registry takes any metric that answers get() and reset(); its types name only its own classes.
    for (const registry of registers) registry.registerMetric(this as unknown as Parameters<Registry["registerMetric"]>[0]);
  }

  observe(labels: Readonly<Record<Label, string>>, value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`${this.name}: not a finite number: ${value}`);
    const names = this.labelNames;
    const key = names.length === 1 ? labels[names[0]!] : names.map((name) => labels[name]).join("\u0000");
    let series = this.series.get(key);
    if (!series) series = this.newSeries(key, labels);
    const bounds = this.upperBounds;
    let bucket = 0;
    while (bucket < bounds.length && value > bounds[bucket]!) bucket += 1;
    if (bucket < bounds.length) series.counts[bucket]! += 1;
    series.sum += value;
    series.count += 1;
  }

  private newSeries(key: string, labels: Readonly<Record<Label, string>>): Series {
    const given = Object.keys(labels);
    const unknown = given.find((name) => !(this.labelNames as readonly string[]).includes(name));
    if (unknown !== undefined) throw new Error(`${this.name}: unknown label "${unknown}"`);
    const missing = this.labelNames.find((name) => typeof labels[name] !== "string");
    if (missing !== undefined) throw new Error(`${this.name}: label "${missing}" has no value`);
    const series: Series = { labels: { ...labels }, counts: new Float64Array(this.upperBounds.length), sum: 0, count: 0 };
    this.series.set(key, series);
    return series;
  }

  /** What prom-client's registry formats (the same values, in the same order, as its own Histogram gives). */
  getForPromString(): HistogramValues {
    const bucketName = `${this.name}_bucket`;
    const values: HistogramValue[] = [];
    for (const series of this.series.values()) {
      let cumulative = 0;
      this.upperBounds.forEach((bound, i) => {
        cumulative += series.counts[i]!;
        values.push({ labels: { le: bound }, sharedLabels: series.labels, value: cumulative, metricName: bucketName });
      });
      values.push(
        { labels: { le: "+Inf" }, sharedLabels: series.labels, value: series.count, metricName: bucketName },
        { labels: {}, sharedLabels: series.labels, value: series.sum, metricName: `${this.name}_sum` },
        { labels: {}, sharedLabels: series.labels, value: series.count, metricName: `${this.name}_count` },
      );
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** The values with every label on each (as prom-client's `get()` and `getMetricsAsJSON()` give them). */
  get(): Promise<Omit<HistogramValues, "values"> & { values: Omit<HistogramValue, "sharedLabels">[] }> {
    const metric = this.getForPromString();
    const values = metric.values.map(({ sharedLabels, labels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } }));
    return Promise.resolve({ ...metric, values });
  }

  reset(): void {
    this.series.clear();
  }
}

/** The shapes prom-client's registry reads from a metric (its types do not export them). */
interface HistogramValue {
  labels: Record<string, string | number>;
  sharedLabels: Record<string, string>;
  value: number;
  metricName: string;
}
interface HistogramValues {
  name: string;
  help: string;
  type: "histogram";
  aggregator: "sum";
  values: HistogramValue[];
}

interface Series {
  labels: Record<string, string>;
  /** Observations per bucket (not cumulative); those above the last bound are only in `count`. */
  counts: Float64Array;
  sum: number;
  count: number;
}
