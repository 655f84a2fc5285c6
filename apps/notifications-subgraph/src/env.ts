import { fromRepoRoot, loadConfig } from "@monograph/platform";
import { z } from "zod";

/**
 * Where the development notifier writes, relative to the repository root, when NOTIFICATIONS_DIR is unset. Not
 * `.data/notifications`: that is the embedded database of the notifications process (runSubgraphProcess).
 */
export const DEFAULT_NOTIFICATIONS_DIR = ".data/sent-notifications";
/** The placeholder mailbox of a customer (see RecipientDirectory): `.invalid` never resolves, so nothing leaves by mistake. */
export const DEFAULT_RECIPIENT_TEMPLATE = "{customerId}@customers.invalid";
export const DEFAULT_FROM = "Monograph <notifications@monograph.invalid>";

/** How notifications leave the database: by email, as files in a folder (development), or not at all (in-app only). */
export type DeliverySettings =
  | { kind: "smtp"; url: string; from: string; recipientTemplate: string }
  | { kind: "file"; dir: string }
  | { kind: "none"; reason: string };

/**
 * The settings of the notifications domain's delivery, wherever it runs (monolith or its own process). The choice:
 * NOTIFICATIONS_DELIVERY when set; else smtp when SMTP_URL is set; else a folder of files outside production and
 * none in production (the notifications are still kept and shown in the API: a production process never writes
 * customers' messages to its local disk unasked, and never pretends to have mailed them).
 */
export const notificationSettingsSchema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    /** smtp | file | none; default: see above. */
    NOTIFICATIONS_DELIVERY: z.enum(["smtp", "file", "none"]).optional(),
    /** smtp://user:password@host:587 (STARTTLS when the server offers it) or smtps://...:465 (TLS). */
    SMTP_URL: z
      .string()
      .url()
      .refine((value) => /^smtps?:$/.test(new URL(value).protocol), "must be an smtp:// or smtps:// URL")
      .optional(),
    /** The From header of notification emails, e.g. `Monograph <notifications@example.com>`; required with smtp in production. */
    NOTIFICATIONS_FROM: z.string().min(3).max(320).optional(),
    /** Folder of the file notifier (one JSON file per notification), relative to the repository root. */
    NOTIFICATIONS_DIR: z.string().min(1).optional(),
    /** A customer's mailbox, from their id: `{customerId}` is replaced (see the README: the events carry no email). */
    NOTIFICATIONS_RECIPIENT: z
      .string()
      .refine(
        (template) => template.includes("{customerId}") && /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(template.replaceAll("{customerId}", "00000000-0000-0000-0000-000000000000")),
        "must be an address containing {customerId}, e.g. {customerId}@customers.invalid",
      )
      .optional(),
  })
  .superRefine((env, ctx) => {
    const kind = env.NOTIFICATIONS_DELIVERY ?? (env.SMTP_URL ? "smtp" : undefined);
    if (kind === "smtp" && !env.SMTP_URL) ctx.addIssue({ code: "custom", path: ["SMTP_URL"], message: "is required when NOTIFICATIONS_DELIVERY=smtp" });
    if (kind === "smtp" && env.NODE_ENV === "production" && !env.NOTIFICATIONS_FROM) {
      ctx.addIssue({ code: "custom", path: ["NOTIFICATIONS_FROM"], message: "is required to send email in production (a From address your SMTP server may send as)" });
    }
  })
  .transform((env): DeliverySettings => {
    const kind = env.NOTIFICATIONS_DELIVERY ?? (env.SMTP_URL ? "smtp" : env.NODE_ENV === "production" ? "none" : "file");
    if (kind === "smtp") return { kind, url: env.SMTP_URL!, from: env.NOTIFICATIONS_FROM ?? DEFAULT_FROM, recipientTemplate: env.NOTIFICATIONS_RECIPIENT ?? DEFAULT_RECIPIENT_TEMPLATE };
    if (kind === "file") return { kind, dir: fromRepoRoot(env.NOTIFICATIONS_DIR ?? DEFAULT_NOTIFICATIONS_DIR) };
    return { kind, reason: env.NOTIFICATIONS_DELIVERY === "none" ? "NOTIFICATIONS_DELIVERY=none" : "production without SMTP_URL" };
  });

/** Reads the delivery settings; an invalid configuration stops the process with every problem listed. */
export function loadNotificationSettings(env: NodeJS.ProcessEnv = process.env): DeliverySettings {
  return loadConfig(notificationSettingsSchema, env, "notifications");
}
