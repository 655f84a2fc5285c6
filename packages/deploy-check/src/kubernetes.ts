import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";

const run = promisify(execFile);
const require = createRequire(import.meta.url);

export type KubernetesObject = { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } & Record<string, unknown>;

/** kubectl (v1.32 here, with kustomize v5.5): KUBECTL, else the first on a known path or on PATH. */
export function kubectlPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.KUBECTL) return env.KUBECTL;
  const known = ["/usr/bin/kubectl", "/usr/local/bin/kubectl"].find((candidate) => existsSync(candidate));
  if (known) return known;
  for (const dir of (env.PATH ?? "").split(":")) if (dir && existsSync(`${dir}/kubectl`)) return `${dir}/kubectl`;
  return undefined;
}

/** `kubectl kustomize <dir>`: the objects an overlay renders to, offline (no cluster is asked anything). */
export async function renderKustomization(dir: string, kubectl = kubectlPath()): Promise<KubernetesObject[]> {
  if (!kubectl) throw new Error("kubectl not found (install Debian's kubernetes-client, or set KUBECTL)");
  let stdout: string;
  try {
    ({ stdout } = await run(kubectl, ["kustomize", dir], { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }));
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`kubectl kustomize ${dir} failed: ${stderr || (error as Error).message}`);
  }
  return parseManifests(stdout, dir);
}

/** Every document of a multi-document YAML text, refusing YAML errors. */
export function parseManifests(text: string, source: string): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) throw new Error(`${source}: ${document.errors.map((error) => error.message).join("; ")}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== "object" || Array.isArray(value)) throw new Error(`${source}: a document is not an object`);
    objects.push(value as KubernetesObject);
  }
  return objects;
}

export function describeObject(object: KubernetesObject): string {
  return `${String(object.kind)}/${String(object.metadata?.name ?? "?")}`;
}

interface SchemaError {
  instancePath: string;
  message?: string;
  keyword: string;
  params?: Record<string, unknown>;
}

type ValidateOn = (data: unknown) => void;

/**
 * The validator of apiVersion/kind from kubernetes-models (ajv code compiled from the Kubernetes OpenAPI schemas,
 * shipped in the npm package: nothing is fetched), or undefined for a kind it does not know.
 */
function validatorOf(apiVersion: string, kind: string): ValidateOn | undefined {
  if (!/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
  let module: Record<string, unknown>;
  try {
    module = require(`kubernetes-models/${apiVersion}/${kind}`) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const model = module[kind] as { prototype?: { validate?: () => void } } | undefined;
  const validate = model?.prototype?.validate;
  return validate ? (data) => validate.call(data) : undefined;
}

/**
 * Problems of one rendered object: its kind must be known, it must validate against its Kubernetes schema, and it
 * may carry no field the schema does not define (the OpenAPI schemas allow unknown fields, so a misspelt
 * `livenesProbe` would otherwise pass: the apiserver drops or refuses it). Unknown fields are found by watching
 * which properties the schema's validator reads: an object whose keys it enumerates (labels, resource maps) is a
 * map and accepts any key.
 */
export function validateObject(object: KubernetesObject): string[] {
  const where = describeObject(object);
  if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") return [`${where}: apiVersion and kind are required`];
  const validate = validatorOf(object.apiVersion, object.kind);
  if (!validate) return [`${where}: unknown kind ${object.kind} in ${object.apiVersion}`];
  const watch = new Map<object, { read: Set<string>; enumerated: boolean }>();
  const proxies = new WeakMap<object, object>();
  const wrap = (value: unknown): unknown => {
    if (value === null || typeof value !== "object") return value;
    const existing = proxies.get(value);
    if (existing) return existing;
    const record = { read: new Set<string>(), enumerated: false };
    watch.set(value, record);
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        if (typeof key === "string") record.read.add(key);
        return wrap(Reflect.get(target, key, receiver));
      },
      has(target, key) {
        if (typeof key === "string") record.read.add(key);
        return Reflect.has(target, key);
      },
      ownKeys(target) {
        record.enumerated = true;
        return Reflect.ownKeys(target);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  const problems: string[] = [];
  try {
    validate(wrap(object));
  } catch (error) {
    const errors = (error as { errors?: SchemaError[] }).errors;
    if (!errors) return [`${where}: ${(error as Error).message}`];
    for (const schemaError of errors) problems.push(`${where}: ${schemaError.instancePath || "/"} ${schemaError.message ?? schemaError.keyword}`);
  }
  const walk = (value: unknown, path: string) => {
    if (value === null || typeof value !== "object") return;
    if (Array.isArray(value)) return value.forEach((item, index) => walk(item, `${path}/${index}`));
    const record = watch.get(value);
    for (const [key, child] of Object.entries(value)) {
      if (record && !record.enumerated && !record.read.has(key)) problems.push(`${where}: ${path}/${key} is not a field of ${object.kind} (${object.apiVersion})`);
      else walk(child, `${path}/${key}`);
    }
  };
  walk(object, "");
  return problems;
}
