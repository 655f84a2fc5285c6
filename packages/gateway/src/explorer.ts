import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { gzip } from "node:zlib";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { childLogger } from "@monograph/platform";

type GraphiQLOptions = NonNullable<Parameters<typeof renderGraphiQL>[0]>;

/** One operation the explorer opens as a tab on a first visit. */
export interface ExplorerExample {
  /** The document; GraphiQL names the tab after its operation. */
  query: string;
  variables?: Record<string, unknown>;
  /** The tab's headers; without them the tab shows `defaultHeaders`. */
  headers?: Record<string, string>;
}

export interface ExplorerOptions {
  /** Where GraphiQL sends operations, and the path that also serves the explorer to a browser. Default "/graphql". */
  endpoint?: string;
  title?: string;
  /**
   * Tabs of a first visit, in this order (later visits keep the person's own tabs). The first is the default
   * operation; give it no variables: GraphiQL opens the first tab with an empty variables editor.
   */
  examples?: ExplorerExample[];
  /** What the headers editor shows in a tab that sets no headers of its own. */
  defaultHeaders?: Record<string, string>;
}

/** The explorer page, rendered once, with the headers it is served with. */
export interface RenderedExplorer {
  html: string;
  headers: Record<string, string>;
}

/**
 * GraphiQL as one self-contained page: @graphql-yoga/render-graphiql inlines its scripts, styles, fonts and editor
 * workers (started from blob: URLs), so the page needs nothing but the gateway, and works offline. The Content
 * Security Policy holds it to that: inline scripts are allowed by their hashes, workers by blob:, requests go only to
 * the gateway itself.
 */
export function renderExplorer(options: ExplorerOptions = {}): RenderedExplorer {
  const examples = options.examples ?? [];
  const graphiqlOptions: GraphiQLOptions = {
    title: options.title ?? "Monograph GraphiQL",
    endpoint: options.endpoint ?? "/graphql",
    headers: options.defaultHeaders ? json(options.defaultHeaders) : undefined,
    defaultTabs: examples.length
      ? examples.map((example) => ({
          query: example.query,
          variables: example.variables ? json(example.variables) : null,
          headers: example.headers ? json(example.headers) : null,
        }))
      : undefined,
    // A token pasted into the headers editor would otherwise stay in the browser's storage.
    shouldPersistHeaders: false,
    isHeadersEditorEnabled: true,
    defaultEditorToolsVisibility: "variables",
    maxHistoryLength: 50,
  };
  // The renderer writes the options into the page's inline script as JSON, which does not escape "</script>".
  if (/<\/script|<!--/i.test(JSON.stringify(graphiqlOptions))) throw new Error("explorer: an option contains </script> or <!--, which would break the page");
  const html = fixRenderedPage(renderGraphiQL(graphiqlOptions));
  const contentSecurityPolicy = [
    "default-src 'self'",
    `script-src 'self' ${inlineScriptHashes(html).join(" ")}`,
    // React and the editors set style attributes; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "worker-src 'self' blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  return {
    html,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": contentSecurityPolicy,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "cache-control": "no-cache",
      etag: `"${createHash("sha256").update(html).digest("base64url").slice(0, 27)}"`,
    },
  };
}

/**
 * Routes for `startGateway({ extraRoutes })`: the explorer at GET `/`, and at GET `<endpoint>` when a browser asks
 * for a page (Accept includes text/html). The page is rendered here, once; every request gets the same bytes.
 *
 * A browser that navigates to `<endpoint>?query=...` gets the explorer too: GraphiQL writes the query into the
 * address bar as you type, so a reload must bring the explorer back, and a navigation could not run the operation
 * anyway (it carries none of the headers the CSRF protection asks of a GET).
 */
export function explorerRoutes(options: ExplorerOptions = {}): (request: IncomingMessage, response: ServerResponse) => boolean {
  const page = renderExplorer(options);
  const endpointPath = new URL(options.endpoint ?? "/graphql", "http://localhost").pathname;
  let compressed: Promise<Buffer> | undefined;
  return (request, response) => {
    if (request.method !== "GET" && request.method !== "HEAD") return false;
    const { pathname } = new URL(request.url ?? "/", "http://localhost");
    const wantsPage = pathname === "/" || (pathname === endpointPath && (request.headers.accept ?? "").includes("text/html"));
    if (!wantsPage) return false;

    for (const [name, value] of Object.entries(page.headers)) response.setHeader(name, value);
    response.setHeader("vary", "accept, accept-encoding");
    if (request.headers["if-none-match"] === page.headers.etag) {
      response.statusCode = 304;
      response.end();
      return true;
    }
    // About 9 MB of inlined code, 2.4 MB compressed: worth it beyond localhost. Compressed once, on first use.
    if (/\bgzip\b/.test(request.headers["accept-encoding"] ?? "")) {
      compressed ??= new Promise((resolve, reject) => gzip(page.html, (error, result) => (error ? reject(error) : resolve(result))));
      compressed.then(
        (body) => {
          response.setHeader("content-encoding", "gzip");
          response.setHeader("content-length", body.length);
          response.end(request.method === "HEAD" ? undefined : body);
        },
        () => send(),
      );
      return true;
    }
    send();
    return true;

    function send(): void {
      response.setHeader("content-length", Buffer.byteLength(page.html));
      response.end(request.method === "HEAD" ? undefined : page.html);
    }
  };
}

const json = (value: unknown): string => JSON.stringify(value, null, 2);

/** CSP hashes of the page's inline <script> elements (all without attributes). */
function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  let from = 0;
  for (;;) {
    const open = html.indexOf("<script>", from);
    if (open === -1) break;
    const close = html.indexOf("</script>", open);
    if (close === -1) throw new Error("explorer page: unterminated <script>");
    const body = html.slice(open + "<script>".length, close);
    hashes.push(`'sha256-${createHash("sha256").update(body, "utf8").digest("base64")}'`);
    from = close;
  }
  if (hashes.length === 0) throw new Error("explorer page: no inline script found; the renderer's output has changed");
  return hashes;
}

/**
 * Two fixes to the page of @graphql-yoga/render-graphiql 5.24.1, found by the browser test. The renderer is pinned
 * to that exact version; should a new one change the code, the explorer still works, only with the bug again, and
 * explorer.test.ts fails so that someone looks.
 */
export function fixRenderedPage(html: string): string {
  return withClickableTabs(withHistory(html));
}

/**
 * Yoga's GraphiQL passes `plugins={[explorer]}`, which replaces GraphiQL's default plugin list and so drops the
 * history panel; the page has no other way in (its options travel as JSON). Put GraphiQL's own history plugin back
 * into that list.
 */
export function withHistory(html: string): string {
  const historyPlugin = /const (\w+)=\{title:"History",icon:\w+,content:\w+\}/.exec(html)?.[1];
  const pluginList = /plugins:\[(\w+)\],schemaDescription:!0,inputValueDeprecation:!0,isHeadersEditorEnabled:!0/g;
  const sites = [...html.matchAll(pluginList)];
  if (!historyPlugin || sites.length !== 1) {
    childLogger("gateway").warn("explorer: could not add the history panel to this version of @graphql-yoga/render-graphiql");
    return html;
  }
  return html.replace(pluginList, (site, explorer: string) => site.replace(`plugins:[${explorer}]`, `plugins:[${historyPlugin},${explorer}]`));
}

/**
 * GraphiQL's tabs can be dragged to reorder them (framer-motion). In this build, tabs opened from `defaultTabs` keep a
 * stale drag offset in their inline style (each shifted onto the last tab), hidden until a tab is focused: then the
 * pressed tab jumps away from under the pointer, and the click that should switch to it lands on the tab bar. Pin
 * tabs where the layout puts them and keep the pointer away from the drag: tabs switch on click, and only
 * reordering by drag is lost.
 */
export function withClickableTabs(html: string): string {
  const fix = `<style>
      .graphiql-tab { transform: none !important; }
    </style>
    <script>
      window.addEventListener("pointerdown", function (event) {
        if (event.target instanceof Element && event.target.closest(".graphiql-tab")) event.stopPropagation();
      }, true);
    </script>`;
  const headEnd = html.indexOf("</head>");
  if (headEnd === -1) throw new Error("explorer page: no </head>; the renderer's output has changed");
  return html.slice(0, headEnd) + fix + html.slice(headEnd);
}
