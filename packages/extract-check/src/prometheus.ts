/**
 * A small parser of the Prometheus text exposition format (version 0.0.4): what prom-client's `register.metrics()`
 * writes. Each sample line is `name{label="value",...} value [timestamp]`; `# HELP` and `# TYPE` lines and other
 * comments are skipped; label values escape `\\`, `\"` and `\n`; values may be NaN, +Inf or -Inf.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export class MetricsParseError extends Error {
  override name = "MetricsParseError";
}

const NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;

function parseValue(text: string, line: number): number {
  if (text === "NaN") return Number.NaN;
  if (text === "+Inf" || text === "Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  const value = Number(text);
  if (text === "" || Number.isNaN(value)) throw new MetricsParseError(`line ${line}: "${text}" is not a sample value`);
  return value;
}

export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    const number = index + 1;
    if (!line || line.startsWith("#")) return;
    NAME.lastIndex = 0;
    const name = NAME.exec(line)?.[0];
    if (!name) throw new MetricsParseError(`line ${number}: no metric name in "${line}"`);
    let at = name.length;
    const labels: Record<string, string> = {};
    if (line[at] === "{") {
      at += 1;
      for (;;) {
        while (line[at] === " " || line[at] === ",") at += 1;
        if (line[at] === undefined) throw new MetricsParseError(`line ${number}: the labels have no closing "}"`);
        if (line[at] === "}") {
          at += 1;
          break;
        }
        LABEL_NAME.lastIndex = at;
        const label = LABEL_NAME.exec(line)?.[0];
        if (!label) throw new MetricsParseError(`line ${number}: bad label at column ${at + 1}`);
        at += label.length;
        while (line[at] === " ") at += 1;
        if (line[at] !== "=") throw new MetricsParseError(`line ${number}: expected ="..." after label ${label}`);
        at += 1;
        while (line[at] === " ") at += 1;
        if (line[at] !== '"') throw new MetricsParseError(`line ${number}: expected ="..." after label ${label}`);
        at += 1;
        let value = "";
        for (;;) {
          const char = line[at];
          if (char === undefined) throw new MetricsParseError(`line ${number}: unterminated value of label ${label}`);
          at += 1;
          if (char === '"') break;
          if (char === "\\") {
            const next = line[at];
            at += 1;
            value += next === "n" ? "\n" : (next ?? "");
          } else value += char;
        }
        labels[label] = value;
      }
    }
    const [valueText = "", timestamp] = line.slice(at).trim().split(/\s+/);
    if (timestamp !== undefined && !/^-?\d+$/.test(timestamp)) throw new MetricsParseError(`line ${number}: "${timestamp}" is not a timestamp`);
    samples.push({ name, labels, value: parseValue(valueText, number) });
  });
  return samples;
}
