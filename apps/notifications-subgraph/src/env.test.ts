import path from "node:path";
import { REPO_ROOT } from "@monograph/platform";
import { describe, expect, it } from "vitest";
import { notificationSettingsSchema } from "./env.ts";

const settings = (env: Record<string, string>) => notificationSettingsSchema.safeParse(env);
const problems = (env: Record<string, string>) => {
  const result = settings(env);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
};

describe("notification delivery settings", () => {
  it("in development without SMTP_URL, then notifications are written as files to .data/sent-notifications, or to NOTIFICATIONS_DIR", () => {
    expect(settings({}).data).toEqual({ kind: "file", dir: path.join(REPO_ROOT, ".data/sent-notifications") });
    expect(settings({ NODE_ENV: "test", NOTIFICATIONS_DIR: "/tmp/mail" }).data).toEqual({ kind: "file", dir: "/tmp/mail" });
  });

  it("with SMTP_URL, then they are emailed, from NOTIFICATIONS_FROM, to the NOTIFICATIONS_RECIPIENT mailbox (.invalid by default)", () => {
    expect(settings({ SMTP_URL: "smtp://127.0.0.1:2525" }).data).toEqual({
      kind: "smtp",
      url: "smtp://127.0.0.1:2525",
      from: "Monograph <notifications@monograph.invalid>",
      recipientTemplate: "{customerId}@customers.invalid",
    });
    expect(
      settings({ NODE_ENV: "production", SMTP_URL: "smtps://mailer:pw@mail.example.com:465", NOTIFICATIONS_FROM: "Shop <no-reply@example.com>", NOTIFICATIONS_RECIPIENT: "support+{customerId}@example.com" }).data,
    ).toEqual({ kind: "smtp", url: "smtps://mailer:pw@mail.example.com:465", from: "Shop <no-reply@example.com>", recipientTemplate: "support+{customerId}@example.com" });
  });

  it("in production without SMTP_URL, then nothing is delivered (in-app only): no customer's message is written to the server's disk", () => {
    expect(settings({ NODE_ENV: "production" }).data).toEqual({ kind: "none", reason: "production without SMTP_URL" });
    expect(settings({ NODE_ENV: "production", NOTIFICATIONS_DELIVERY: "file", NOTIFICATIONS_DIR: "/var/mail" }).data).toEqual({ kind: "file", dir: "/var/mail" });
    expect(settings({ SMTP_URL: "smtp://127.0.0.1:2525", NOTIFICATIONS_DELIVERY: "none" }).data).toEqual({ kind: "none", reason: "NOTIFICATIONS_DELIVERY=none" });
  });

  it("when the settings cannot work, then each problem is named: smtp without a URL, email in production without a From, a URL or template that is not one", () => {
    expect(problems({ NOTIFICATIONS_DELIVERY: "smtp" })).toEqual(["SMTP_URL: is required when NOTIFICATIONS_DELIVERY=smtp"]);
    expect(problems({ NODE_ENV: "production", SMTP_URL: "smtp://mail.example.com" })).toEqual([
      "NOTIFICATIONS_FROM: is required to send email in production (a From address your SMTP server may send as)",
    ]);
    expect(problems({ SMTP_URL: "https://mail.example.com" })).toEqual(["SMTP_URL: must be an smtp:// or smtps:// URL"]);
    expect(problems({ NOTIFICATIONS_RECIPIENT: "everyone@example.com" })).toEqual([
      "NOTIFICATIONS_RECIPIENT: must be an address containing {customerId}, e.g. {customerId}@customers.invalid",
    ]);
    expect(problems({ NOTIFICATIONS_DELIVERY: "pigeon" })).toHaveLength(1);
  });
});
