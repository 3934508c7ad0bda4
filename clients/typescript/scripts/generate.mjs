// Writes src/schema.ts, the API's types, from its OpenAPI document with the pinned
// openapi-typescript (package-lock.json). Every generation goes through here, the contract test's
// (tests/test_typescript_client.py) included, so the generator's options live in one place.
//
//   npm run generate                                   from $EVENTDB_URL/openapi.json, by
//                                                      default http://127.0.0.1:8000/openapi.json
//   npm run generate -- http://127.0.0.1:8001/openapi.json
//   npm run generate -- ./openapi.json                 from a file (relative to where npm was run)
//   npm run generate -- <input> --out <file>           elsewhere than src/schema.ts
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const CLI = path.join(PACKAGE_DIR, "node_modules", "openapi-typescript", "bin", "cli.js");
// openapi-typescript's defaults, on purpose: what a developer gets who runs it on /openapi.json.
const OPTIONS = [];

// npm runs scripts in the package's folder; paths given by hand are relative to where npm ran.
const CALLER_DIR = process.env.INIT_CWD ?? process.cwd();

function usage(message) {
  console.error(`${message}\nusage: npm run generate -- [URL or file of openapi.json] [--out F]`);
  process.exit(2);
}

const args = process.argv.slice(2);
let input;
let output = path.join(PACKAGE_DIR, "src", "schema.ts");
while (args.length > 0) {
  const arg = args.shift();
  if (arg === "--out") {
    const value = args.shift();
    if (value === undefined) usage("--out needs a file");
    output = path.resolve(CALLER_DIR, value);
  } else if (arg.startsWith("-") || input !== undefined) {
    usage(`unexpected argument: ${arg}`);
  } else {
    input = arg;
  }
}
if (input === undefined) {
  const server = process.env.EVENTDB_URL ?? "http://127.0.0.1:8000";
  input = `${server.replace(/\/+$/, "")}/openapi.json`;
} else if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) {
  input = path.resolve(CALLER_DIR, input);
}

const done = spawnSync(process.execPath, [CLI, input, "--output", output, ...OPTIONS], {
  cwd: PACKAGE_DIR,
  stdio: "inherit",
});
process.exit(done.status ?? 1);
