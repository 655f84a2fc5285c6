import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { createTransport, type Mail } from "nodemailer";
import type { DeliverySettings } from "./env.ts";
import type { NotificationKind } from "./repository.ts";

/** One notification on its way to its customer: what any channel needs to show it. */
export interface OutgoingNotification {
  id: string;
  customerId: string;
  kind: NotificationKind;
  subject: string;
  message: string;
  orderId: string;
  invoiceId: string | null;
  createdAt: Date;
}

/**
 * The port through which notifications leave the domain (an email, a file, ...). `send` resolves once the channel
 * has accepted the notification (the SMTP server answered 250, the file is written) and rejects otherwise; the
 * delivery then retries. A notification may be sent more than once (a crash between acceptance and the database's
 * "delivered"), so each carries its id (the email's Message-ID, the file's name) to recognise a repeat.
 */
export interface Notifier {
  /** Names the channel in logs and metrics: "smtp", "file". */
  readonly channel: string;
  send(notification: OutgoingNotification): Promise<void>;
  /** Releases connections. */
  close?(): Promise<void>;
}

/**
 * Where a customer receives email. The events carry only a customer id, and notifications never calls the users
 * domain's code, so the address comes from this port. Only the template below exists today (see the README).
 */
export interface RecipientDirectory {
  /** The address to mail this customer at; rejects when there is none (the delivery retries, then gives up). */
  addressOf(customerId: string): Promise<string>;
}

/**
 * Addresses each customer at a configured mailbox, `{customerId}` replaced by their id. The default,
 * `{customerId}@customers.invalid`, can never be delivered (RFC 2606): it keeps development and test mail from
 * reaching anyone. An operator can point it at a catch-all mailbox (`support+{customerId}@example.com`).
 */
export class TemplateRecipientDirectory implements RecipientDirectory {
  constructor(private readonly template: string) {
    if (!template.includes("{customerId}")) throw new Error("a recipient template must contain {customerId}");
  }

  async addressOf(customerId: string): Promise<string> {
    return this.template.replaceAll("{customerId}", customerId);
  }
}

/**
 * The development notifier: one JSON file per notification in a folder, named by its time and id, so a developer
 * (or a test) sees what a customer would have received. A repeat overwrites the same file; a file appears whole
 * (written aside, then renamed).
 */
export class FileNotifier implements Notifier {
  readonly channel = "file";

  constructor(readonly dir: string) {}

  /** The file a notification is written to. */
  fileOf(notification: Pick<OutgoingNotification, "id" | "createdAt">): string {
    return path.join(this.dir, `${notification.createdAt.toISOString().replace(/:/g, "-")}-${notification.id}.json`);
  }

  async send(notification: OutgoingNotification): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = this.fileOf(notification);
    const partial = `${file}.partial`;
    const content = { ...notification, createdAt: notification.createdAt.toISOString() };
    await writeFile(partial, `${JSON.stringify(content, null, 2)}\n`, "utf8");
    await rename(partial, file);
  }
}

export interface SmtpNotifierOptions {
  /** smtp://user:password@host:port or smtps://... (nodemailer's connection URL). */
  url: string;
  /** The From header. */
  from: string;
  directory: RecipientDirectory;
  /** Bounds of one SMTP conversation, so a mail server that stops answering cannot hold a delivery for minutes. */
  timeouts?: { connectionMs?: number; greetingMs?: number; socketMs?: number };
}

/** Sends each notification as a plain-text email through an SMTP server (nodemailer). */
export class SmtpNotifier implements Notifier {
  readonly channel = "smtp";
  private readonly transporter: Mail;

  constructor(private readonly options: SmtpNotifierOptions) {
    this.transporter = createTransport({
      url: options.url,
      // A few connections, reused: one per email would be a connection storm after a burst of orders.
      pool: true,
      maxConnections: 4,
      // nodemailer's defaults (2 min to connect, 10 min of silence) suit a batch mailer, not a service.
      connectionTimeout: options.timeouts?.connectionMs ?? 10_000,
      greetingTimeout: options.timeouts?.greetingMs ?? 10_000,
      socketTimeout: options.timeouts?.socketMs ?? 30_000,
    });
  }

  async send(notification: OutgoingNotification): Promise<void> {
    const to = await this.options.directory.addressOf(notification.customerId);
    await this.transporter.sendMail({
      from: this.options.from,
      to,
      subject: notification.subject,
      text: notification.message,
      date: notification.createdAt,
      // The same id on a repeated send: mail systems and people can tell it is one message.
      messageId: `<${notification.id}@notifications.monograph>`,
      headers: { "X-Monograph-Notification-Kind": notification.kind },
    });
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}

/** The notifier the settings ask for; null when notifications are kept in-app only (NOTIFICATIONS_DELIVERY=none). */
export function createNotifier(settings: DeliverySettings): Notifier | null {
  switch (settings.kind) {
    case "smtp":
      return new SmtpNotifier({ url: settings.url, from: settings.from, directory: new TemplateRecipientDirectory(settings.recipientTemplate) });
    case "file":
      return new FileNotifier(settings.dir);
    case "none":
      return null;
  }
}
