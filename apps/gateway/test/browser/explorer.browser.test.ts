import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { createTestDatabase, testDatabaseKind, type TestDatabase } from "@monograph/db/testing";
import { SEEDED_PRODUCTS } from "@monograph/inventory-subgraph";
import { fromRepoRoot } from "@monograph/platform";
import { SEEDED_USERS } from "@monograph/users-subgraph";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadGatewayConfig } from "../../src/env.ts";
import { startMonograph, type RunningMonograph } from "../../src/monograph.ts";

// The explorer as a person uses it, in Debian's Chromium: open it, run the example tabs of the main flow, paste the
// token into the headers editor, and never reach any host but the gateway.

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  // Without these Chromium calls Google's hosts on its own (component updates, field trials, sync).
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const TIMEOUT = 60_000;
const customer = SEEDED_USERS.find((user) => user.email === "alice@example.com")!;
const firstSku = SEEDED_PRODUCTS.map((product) => product.sku).sort()[0]!;

function findChromium(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    for (const name of ["chromium", "chromium-browser"]) {
      if (existsSync(path.join(dir, name))) return path.join(dir, name);
    }
  }
  return undefined;
}

const executablePath = findChromium();
const skip = !executablePath && !process.env.CI;
if (skip) {
  console.warn(
    "\n*** SKIPPED: the explorer's browser test needs Chromium, and none was found (set CHROMIUM_PATH, or `apt-get install -y chromium`). CI installs it and fails without it. ***\n",
  );
}

describe.skipIf(skip)(`the explorer in a browser (monolith, ${testDatabaseKind()})`, () => {
  let database: TestDatabase;
  let gateway: RunningMonograph;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const requests: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!executablePath) throw new Error("Chromium is required in CI (CHROMIUM_PATH or a chromium binary on PATH); .ci/run installs it.");
    database = await createTestDatabase();
    gateway = await startMonograph({
      config: loadGatewayConfig({ JWT_SECRET: "browser-test-jwt-secret-0123456789", INTERNAL_SECRET: "browser-test-internal-secret-0123456789", NODE_ENV: "test", PORT: "0" }),
      database: database.target,
      seed: true,
    });
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: TIMEOUT });
    context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    context.setDefaultTimeout(TIMEOUT);
    context.on("request", (request) => requests.push(request.url()));
    // Violations of the page's Content Security Policy, recorded by the page itself.
    await context.addInitScript(() => {
      const seen: string[] = [];
      (window as any).__cspViolations = seen;
      document.addEventListener("securitypolicyviolation", (event) => seen.push(`${event.violatedDirective} ${event.blockedURI}`));
    });
    page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await database?.drop();
  });

  const queryEditor = () => page.locator(".graphiql-query-editor");
  const responsePane = () => page.locator(".graphiql-response");
  const run = () => page.getByRole("button", { name: /^Execute query/ }).click();
  const openTab = async (name: string, firstLine: string) => {
    await page.getByRole("button", { name, exact: true }).click();
    await expect.poll(() => page.locator(".graphiql-tab-active .graphiql-tab-button").textContent()).toBe(name);
    await queryEditor().getByText(firstLine).waitFor();
    // GraphiQL reads the tab's operation name a moment after the editor changes (debounced), and then writes the
    // query into the address bar: wait for that, or ▶ may still run the previous tab's operation.
    await expect.poll(() => page.evaluate(() => new URL(location.href).searchParams.get("query") ?? "")).toContain(firstLine);
  };

  it(
    "when a person runs the main flow's examples and pastes the token into the headers, then they see the products and who they are, and nothing leaves the machine",
    async () => {
      try {
        await page.goto(`${gateway.url}/`);
        await page.getByRole("button", { name: /^Execute query/ }).waitFor();
        const tabs = await page.locator(".graphiql-tab-button").allTextContents();
        expect(tabs).toEqual(["Products", "SignIn", "Me", "CreateOrder", "MyOrders", "PayInvoice"]);
        for (const panel of ["Show Documentation Explorer", "Show History"]) await expect.poll(() => page.getByRole("button", { name: panel }).count()).toBe(1);

        // 1. Browse: the default tab.
        await queryEditor().getByText("query Products").waitFor();
        await run();
        await responsePane().getByText(`"${firstSku}"`).waitFor();
        await responsePane().getByText('"priceCents"').first().waitFor();

        // 2. Sign in with the example's variables (the seeded demo customer), and take the token from the answer.
        await openTab("SignIn", "mutation SignIn");
        await page.locator(".graphiql-editor-tool").getByText(customer.email).waitFor();
        const signInResponse = page.waitForResponse((response) => response.url() === gateway.graphqlUrl && (response.request().postData() ?? "").includes("mutation SignIn"));
        await run();
        const token: string = (await (await signInResponse).json()).data.signIn.token;
        expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
        await responsePane().getByText('"expiresAt"').waitFor();

        // 3. Me: anonymous at first (the headers editor holds the placeholder), then with the pasted token.
        await openTab("Me", "query Me");
        await run();
        await responsePane().getByText('"me": null').waitFor();
        await page.getByRole("button", { name: "Headers", exact: true }).click();
        const headersEditor = page.locator(".graphiql-editor-tool .graphiql-editor").filter({ visible: true });
        await headersEditor.getByText("<paste the token from SignIn here>").waitFor();
        await headersEditor.click();
        await page.keyboard.press("ControlOrMeta+A");
        await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${token}` }));
        // The editor closes brackets and quotes as they are typed: drop whatever it added after the cursor.
        await page.keyboard.press("Shift+ControlOrMeta+End");
        await page.keyboard.press("Delete");
        const meResponse = page.waitForResponse((response) => response.url() === gateway.graphqlUrl && (response.request().postData() ?? "").includes("query Me"));
        await run();
        expect((await meResponse).request().headers().authorization).toBe(`Bearer ${token}`);
        await responsePane().getByText(`"${customer.email}"`).waitFor();
        await responsePane().getByText('"CUSTOMER"').waitFor();

        // History keeps what was run.
        await page.getByRole("button", { name: "Show History" }).click();
        await page.locator(".graphiql-history").getByText("SignIn").waitFor();
      } finally {
        const dir = process.env.TEST_ARTIFACTS_DIR ? path.resolve(process.env.TEST_ARTIFACTS_DIR) : fromRepoRoot("test-artifacts");
        mkdirSync(dir, { recursive: true });
        await page.screenshot({ path: path.join(dir, "explorer.png") }).catch(() => undefined);
      }

      const origin = new URL(gateway.url).origin;
      const elsewhere = requests.filter((url) => !url.startsWith("data:") && !url.startsWith("blob:") && new URL(url).origin !== origin);
      expect(elsewhere).toEqual([]);
      expect(requests.filter((url) => url.startsWith(origin)).length).toBeGreaterThan(0);
      expect(await page.evaluate(() => (window as any).__cspViolations)).toEqual([]);
      expect(pageErrors).toEqual([]);
    },
    240_000,
  );
});
