// `@monograph/events/env`: the events settings alone, for a process that reads them without sending or receiving
// events itself (the distributed gateway validates them, then loads the transport only if a domain runs in it).
import { z } from "zod";

/** Where NATS listens when NATS_URL is unset (a development machine). */
export const DEFAULT_NATS_URL = "nats://127.0.0.1:4222";

/**
 * The settings of a process that sends or receives events over NATS JetStream: every domain process extends this
 * schema (the gateway takes EVENTS_PREFIX from it), so the variables mean the same everywhere.
 */
export const eventsEnvSchema = z.object({
  /** NATS JetStream: this process's events go out, and the events it subscribes to come in, through it. */
  NATS_URL: z.string().min(1).default(DEFAULT_NATS_URL),
  /** Namespaces the JetStream stream and consumers (tests, several environments on one NATS). */
  EVENTS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]*$/).optional(),
});

export type EventsEnv = z.infer<typeof eventsEnvSchema>;
