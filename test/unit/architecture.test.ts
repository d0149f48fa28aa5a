// The house rules of issue 12, held by a test so they stay true: services and domain speak through
// ports, never to Slack, Bandwidth or HTTP; domain stays pure; no function in src/ grows past 80 lines.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

const SRC = path.resolve(__dirname, "..", "..", "src");

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" ? [] : filesUnder(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
}

/** What a module imports: the src/ folder for a relative import, else the package name. */
function importsOf(file: string): string[] {
  const targets: string[] = [];
  for (const statement of parse(file).statements) {
    if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) continue;
    const specifier = statement.moduleSpecifier;
    if (!specifier || !ts.isStringLiteral(specifier)) continue;
    const text = specifier.text;
    if (!text.startsWith(".")) {
      targets.push(
        text.startsWith("@") ? text.split("/").slice(0, 2).join("/") : (text.split("/")[0] ?? text),
      );
      continue;
    }
    const resolved = path.relative(SRC, path.resolve(path.dirname(file), text));
    targets.push(`src/${resolved.split(path.sep)[0]}`);
  }
  return targets;
}

function violations(folder: string, forbidden: (target: string) => boolean): string[] {
  return filesUnder(path.join(SRC, folder)).flatMap((file) =>
    importsOf(file)
      .filter(forbidden)
      .map((target) => `${path.relative(SRC, file)} imports ${target}`),
  );
}

const EDGES = ["src/slack", "src/bandwidth", "src/http", "src/app", "src/sandbox", "src/main.ts"];
const PROVIDERS = ["@slack/bolt", "@slack/web-api", "@slack/types", "bandwidth-sdk"];

test("services import no edge, adapter or provider SDK: only ports, domain and the database", () => {
  expect(violations("services", (t) => EDGES.includes(t) || PROVIDERS.includes(t))).toEqual([]);
});

test("services write no Slack markup: they make domain notices, and slack/ renders them", () => {
  const markup = filesUnder(path.join(SRC, "services")).filter((file) =>
    /from "\.\.\/domain\/slackText"|\bmrkdwn`/.test(readFileSync(file, "utf8")),
  );
  expect(markup.map((file) => path.relative(SRC, file))).toEqual([]);
});

test("domain imports nothing of the app but domain", () => {
  expect(violations("domain", (t) => t.startsWith("src/") && t !== "src/domain")).toEqual([]);
  expect(violations("domain", (t) => PROVIDERS.includes(t) || t === "pg" || t === "pg-boss")).toEqual([]);
});

test("nothing imports the composition root but main.ts and the sandbox", () => {
  const importers = filesUnder(SRC)
    .filter((file) => importsOf(file).includes("src/app"))
    .map((file) => path.relative(SRC, file))
    .filter(
      (file) =>
        !file.startsWith(`app${path.sep}`) && file !== "main.ts" && !file.startsWith(`sandbox${path.sep}`),
    );
  expect(importers).toEqual([]);
});

test("no function in src/ is longer than 80 lines", () => {
  const long: string[] = [];
  for (const file of filesUnder(SRC)) {
    const source = parse(file);
    const visit = (node: ts.Node) => {
      if (ts.isFunctionLike(node) && "body" in node && node.body) {
        const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
        const last = source.getLineAndCharacterOfPosition(node.end).line;
        const name = node.name ? node.name.getText(source) : "(anonymous)";
        if (last - first + 1 > 80)
          long.push(`${path.relative(SRC, file)}:${first + 1} ${name} (${last - first + 1})`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  expect(long).toEqual([]);
});

test("the composition root stays small", () => {
  const lines = readFileSync(path.join(SRC, "app", "index.ts"), "utf8").split("\n").length;
  expect(lines).toBeLessThan(120);
});
