import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createNotifier, FileNotifier, SmtpNotifier, TemplateRecipientDirectory, type OutgoingNotification } from "./index.ts";

const notification = (overrides: Partial<OutgoingNotification> = {}): OutgoingNotification => ({
  id: randomUUID(),
  customerId: randomUUID(),
  kind: "INVOICE_PAID",
  subject: "Payment received",
  message: "We received your payment of EUR 42.00 for order #1a2b3c4d. Thank you!",
  orderId: randomUUID(),
  invoiceId: randomUUID(),
  createdAt: new Date("2026-12-01T10:15:00.000Z"),
  ...overrides,
});

describe("notifiers", () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), "monograph-notifier-"));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("the file notifier writes one JSON file per notification, named by time and id, creating the folder; a repeat rewrites the same file", async () => {
    const dir = path.join(tempDir(), "nested", "notifications");
    const notifier = new FileNotifier(dir);
    const first = notification();
    const second = notification({ kind: "ORDER_CANCELLED", invoiceId: null, createdAt: new Date("2026-12-01T10:16:00.000Z") });
    await notifier.send(first);
    await notifier.send(second);
    await notifier.send(first);
    expect(readdirSync(dir).sort()).toEqual([`2026-12-01T10-15-00.000Z-${first.id}.json`, `2026-12-01T10-16-00.000Z-${second.id}.json`]);
    expect(JSON.parse(readFileSync(notifier.fileOf(first), "utf8"))).toEqual({ ...first, createdAt: "2026-12-01T10:15:00.000Z" });
  });

  it("the recipient directory addresses a customer by the configured template", async () => {
    const customerId = randomUUID();
    expect(await new TemplateRecipientDirectory("{customerId}@customers.invalid").addressOf(customerId)).toBe(`${customerId}@customers.invalid`);
    expect(() => new TemplateRecipientDirectory("everyone@example.com")).toThrow(/\{customerId\}/);
  });

  it("the settings choose the notifier: SMTP, files, or none", async () => {
    const smtp = createNotifier({ kind: "smtp", url: "smtp://127.0.0.1:2525", from: "a@b.test", recipientTemplate: "{customerId}@customers.invalid" });
    expect(smtp).toBeInstanceOf(SmtpNotifier);
    await smtp?.close?.();
    const dir = tempDir();
    expect(createNotifier({ kind: "file", dir })).toEqual(new FileNotifier(dir));
    expect(createNotifier({ kind: "none", reason: "production without SMTP_URL" })).toBeNull();
  });
});
