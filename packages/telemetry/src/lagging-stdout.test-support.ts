// A process that logs faster than its stdout is read (logger.test.ts pauses the pipe): it writes LINES lines at
// once, then reports on stderr how many the logger dropped, and exits normally, which writes out what is buffered.
import { droppedLogLines, logger } from "./logger.ts";

const LINES = Number(process.env.LINES ?? 5000);
for (let i = 0; i < LINES; i++) logger.info({ line: i, padding: "x".repeat(150) }, "a line");
process.stderr.write(`${JSON.stringify({ dropped: droppedLogLines() })}\n`);
