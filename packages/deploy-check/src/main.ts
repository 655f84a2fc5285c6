// `npm run deploy:check [deploy dir]`: the deployment artifacts checked offline (index.ts). Prints one line per
// overlay and file, and every problem; exits 1 when there is any.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkDeployArtifacts } from "./index.ts";

const REPOSITORY_DEPLOY_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../deploy");

const deployDir = path.resolve(process.argv[2] ?? REPOSITORY_DEPLOY_DIR);
const report = await checkDeployArtifacts(deployDir);
const lines: string[] = [];
const section = (title: string, problems: string[]) => {
  lines.push(`${problems.length === 0 ? "ok  " : "FAIL"} ${title}: ${problems.length} problem(s)`, ...problems.map((problem) => `       ${problem}`));
};
for (const overlay of report.overlays) section(`k8s/overlays/${overlay.overlay} (${overlay.objects} objects rendered and validated)`, overlay.problems);
section("k8s/secret.example.yaml", report.secretExample);
section("compose.yaml", report.compose);
section("observability/prometheus.yml", report.observability);
section("../Dockerfile", report.dockerfile);
process.stdout.write(`${lines.join("\n")}\n`);
process.exitCode = report.ok ? 0 : 1;
