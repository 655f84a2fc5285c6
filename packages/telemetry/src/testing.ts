import type { DestinationStream } from "pino";
import { sink } from "./logger.ts";

export interface CapturedLogs {
  /** Every line written since capture began, parsed. */
  readonly lines: Record<string, unknown>[];
  /** Lines whose `msg` contains `text`. */
  matching(text: string): Record<string, unknown>[];
  /** Writes to stdout again. */
  restore(): void;
}

/** Captures this process's log lines (as the JSON pino writes them, after redaction) instead of printing them. */
export function captureLogs(): CapturedLogs {
  const previous = sink.target;
  const lines: Record<string, unknown>[] = [];
  const capture: DestinationStream = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
  sink.target = capture;
  return {
    lines,
    matching: (text) => lines.filter((line) => String(line.msg ?? "").includes(text)),
    restore: () => {
      if (sink.target === capture) sink.target = previous;
    },
  };
}
