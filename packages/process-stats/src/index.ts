// A process's memory and CPU time, and its tree's, read from Linux /proc. A package of its own because two measurers
// use it on the processes they start: the gateway's bench (apps/gateway/bench) and extract-check's latency row
// (packages/extract-check), and a package may not import an app. Reading from outside keeps the measuring out of
// the figures: the measured processes spend nothing on it.
import { readdirSync, readFileSync } from "node:fs";

/** Resident set size of a process in bytes, from /proc/<pid>/status (VmRSS); undefined once it is gone. */
export function rssOf(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The pids of every live descendant of a process (children, their children...), from /proc/<pid>/stat. */
export function descendantsOf(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid ...: comm may contain spaces and parentheses, so read after the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [pid, ppid] of parents) {
      if (ppid === parent) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

/** The command name of a process (for the memory breakdown). */
export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "?";
  }
}

export const mib = (bytes: number | undefined): string => (bytes === undefined ? "n/a" : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);

// /proc reports CPU time in clock ticks of USER_HZ, which Linux fixes at 100 per second for user space.
const TICK_MS = 10;

/** CPU time (user + system, every thread) a process has used so far, in milliseconds; 0 once it is gone. */
export function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // After "pid (comm) ": state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime...
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** CPU time used so far by a process and all its live descendants, in milliseconds. */
export function treeCpuMs(root: number): number {
  return [root, ...descendantsOf(root)].reduce((sum, pid) => sum + cpuMsOf(pid), 0);
}
