// Lists the functions in src/ longer than a limit (default 80 lines), longest first, with the
// TypeScript compiler's own parser: `node scripts/function-lengths.mjs [limit]`. Generated code is
// left out. Exits 0 either way; it is a report for house-keeping, not a gate.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

const limit = Number(process.argv[2] ?? 80);
const root = path.resolve(import.meta.dirname, "..", "src");

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" ? [] : files(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

const long = [];
for (const file of files(root)) {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const last = source.getLineAndCharacterOfPosition(node.end).line;
      const lines = last - first + 1;
      const name = node.name ? node.name.getText(source) : "(anonymous)";
      if (lines > limit) long.push({ lines, at: `${path.relative(process.cwd(), file)}:${first + 1}`, name });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}
long.sort((a, b) => b.lines - a.lines);
for (const f of long) console.log(`${String(f.lines).padStart(5)}  ${f.at}  ${f.name}`);
console.log(`${long.length} function(s) over ${limit} lines`);
