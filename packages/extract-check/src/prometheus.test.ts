import { describe, expect, it } from "vitest";
import { loadByDomain, median } from "./load-share.ts";
import { MetricsParseError, parsePrometheusText } from "./prometheus.ts";

describe("the Prometheus text format", () => {
  it("when prom-client writes a histogram, then every sample comes back with its labels and value; comments are skipped", () => {
    const text = [
      "# HELP monograph_subgraph_fetch_duration_seconds Subgraph fetches.",
      "# TYPE monograph_subgraph_fetch_duration_seconds histogram",
      'monograph_subgraph_fetch_duration_seconds_bucket{le="0.01",subgraph="orders"} 3',
      'monograph_subgraph_fetch_duration_seconds_bucket{le="+Inf",subgraph="orders"} 4',
      'monograph_subgraph_fetch_duration_seconds_sum{subgraph="orders"} 0.0421',
      'monograph_subgraph_fetch_duration_seconds_count{subgraph="orders"} 4',
      "",
      "process_start_time_seconds 1764579600",
    ].join("\n");
    expect(parsePrometheusText(text)).toEqual([
      { name: "monograph_subgraph_fetch_duration_seconds_bucket", labels: { le: "0.01", subgraph: "orders" }, value: 3 },
      { name: "monograph_subgraph_fetch_duration_seconds_bucket", labels: { le: "+Inf", subgraph: "orders" }, value: 4 },
      { name: "monograph_subgraph_fetch_duration_seconds_sum", labels: { subgraph: "orders" }, value: 0.0421 },
      { name: "monograph_subgraph_fetch_duration_seconds_count", labels: { subgraph: "orders" }, value: 4 },
      { name: "process_start_time_seconds", labels: {}, value: 1764579600 },
    ]);
  });

  it("when label values hold escapes, commas, braces and spaces, and values are special or timestamped, then they read as meant", () => {
    const [sample, inf, nan, negative] = parsePrometheusText(
      [
        'm{path="C:\\\\dir",quote="say \\"hi\\"",text="a,b} c",line="x\\ny",} 1.5e3 1764579600000',
        "m_inf +Inf",
        "m_nan NaN",
        "m_neg{a = \"1\"} -Inf",
      ].join("\r\n"),
    );
    expect(sample).toEqual({ name: "m", labels: { path: "C:\\dir", quote: 'say "hi"', text: "a,b} c", line: "x\ny" }, value: 1500 });
    expect(inf!.value).toBe(Number.POSITIVE_INFINITY);
    expect(nan!.value).toBeNaN();
    expect(negative).toEqual({ name: "m_neg", labels: { a: "1" }, value: Number.NEGATIVE_INFINITY });
  });

  it.each([
    ['m{a="1"', /line 2: the labels have no closing "}"/],
    ['m{a=1} 2', /line 2: expected ="..." after label a/],
    ["m one", /line 2: "one" is not a sample value/],
    ["m 1 soon", /line 2: "soon" is not a timestamp/],
    ["{a=\"1\"} 2", /line 2: no metric name/],
  ])("when a line is %j, then it is refused with its line number", (line, message) => {
    expect(() => parsePrometheusText(`ok 1\n${line}`)).toThrow(MetricsParseError);
    expect(() => parsePrometheusText(`ok 1\n${line}`)).toThrow(message);
  });

  it("when a histogram has more labels than the subgraph, then the load per subgraph sums over them", () => {
    const samples = parsePrometheusText(
      [
        'h_count{subgraph="orders",operation="A"} 3',
        'h_count{subgraph="orders",operation="B"} 2',
        'h_sum{subgraph="orders",operation="A"} 0.5',
        'h_count{subgraph="users",operation="A"} 1',
        'other_count{subgraph="users"} 100',
        "h_count 7",
      ].join("\n"),
    );
    expect(loadByDomain(samples, "h", "subgraph")).toEqual([
      { domain: "orders", fetches: 5, seconds: 0.5 },
      { domain: "users", fetches: 1, seconds: 0 },
    ]);
    expect([median([]), median([3]), median([5, 1, 3]), median([4, 1, 2, 3])]).toEqual([0, 3, 3, 2.5]);
  });
});
