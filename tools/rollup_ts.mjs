/**
 * The build's TypeScript step: a rollup plugin that transpiles each `.ts` file on its own
 * (`ts.transpileModule`, the repository's own TypeScript) and resolves the extensionless
 * relative imports the sources use.
 *
 * It never type-checks: `npm run check` runs tsc once over everything, and `npm test` runs
 * the checks after the build. What the sources must respect for a file-by-file transpile
 * (`isolatedModules`: type-only re-exports marked `export type`) is part of that check.
 * Each file's output is kept for the life of the process, keyed by its text and the
 * options, so the configs of one `rollup -c` run that share a target transpile it once.
 */
import { existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import ts from "typescript";

const require = createRequire(import.meta.url);
const cache = new Map();

/** tsconfig.json's compilerOptions (comments allowed), parsed once per config file. */
const baseOptions = new Map();
function readBaseOptions(tsconfig) {
  let options = baseOptions.get(tsconfig);
  if (options === undefined) {
    const file = path.resolve(tsconfig);
    const { config, error } = ts.readConfigFile(file, ts.sys.readFile);
    if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, "\n"));
    options = ts.convertCompilerOptionsFromJson(config.compilerOptions || {}, path.dirname(file)).options;
    baseOptions.set(tsconfig, options);
  }
  return options;
}

/** The file a relative import names: as written, or with `.ts` / `/index.ts` added. */
function resolveTs(source, importer) {
  const base = path.resolve(path.dirname(importer), source);
  for (const candidate of [base + ".ts", path.join(base, "index.ts"), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/**
 * @param {{ tsconfig?: string, target: "ES5" | "ES2020", importHelpers?: boolean, sourceMap?: boolean }} opts
 */
export function typescriptTranspile(opts) {
  const target = ts.ScriptTarget[opts.target];
  if (target === undefined) throw new TypeError(`typescriptTranspile: unknown target ${JSON.stringify(opts.target)}`);
  const compilerOptions = {
    ...readBaseOptions(opts.tsconfig || "tsconfig.json"),
    target,
    module: ts.ModuleKind.ESNext,
    importHelpers: opts.importHelpers === true,
    sourceMap: opts.sourceMap === true,
    inlineSourceMap: false,
    inlineSources: false,
    declaration: false,
    noEmit: false,
  };
  const key = JSON.stringify([opts.target, compilerOptions.importHelpers, compilerOptions.sourceMap]);
  return {
    name: "kyoto-typescript",
    resolveId(source, importer) {
      if (source === "tslib" && compilerOptions.importHelpers) return require.resolve("tslib/tslib.es6.mjs");
      if (importer === undefined || !importer.endsWith(".ts") || !(source.startsWith("./") || source.startsWith("../"))) return null;
      return resolveTs(source, importer);
    },
    transform(code, id) {
      if (!id.endsWith(".ts") || id.endsWith(".d.ts")) return null;
      const cacheKey = key + id;
      const hit = cache.get(cacheKey);
      if (hit !== undefined && hit.source === code) return hit.result;
      const out = ts.transpileModule(code, { fileName: id, compilerOptions, reportDiagnostics: false });
      const result = { code: out.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n"), map: out.sourceMapText ? JSON.parse(out.sourceMapText) : null };
      cache.set(cacheKey, { source: code, result });
      return result;
    },
  };
}
