/**
 * Type-checks files as a strict TypeScript consumer would (the repository's own TypeScript),
 * for the package and documentation tests. Parsed declaration files are shared between
 * calls, so checking one small file per resolution mode costs little after the first.
 */
import path from "node:path";
import ts from "typescript";

/** Parsed declaration files, shared by the programs below (the standard library is most of the work). */
const parsed = new Map<string, ts.SourceFile | undefined>();

/** tsc's diagnostics for `files` under `options`, one line each. */
export function typeErrors(files: string[], options: ts.CompilerOptions): string[] {
  const all: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2022.d.ts"],
    types: [],
    skipLibCheck: false,
    ...options,
  };
  const host = ts.createCompilerHost(all);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, fresh) => {
    if (!/\.d\.[cm]?ts$/.test(fileName)) return getSourceFile(fileName, languageVersion, onError, fresh);
    const key = fileName + JSON.stringify(languageVersion);
    if (!parsed.has(key)) parsed.set(key, getSourceFile(fileName, languageVersion, onError, fresh));
    return parsed.get(key);
  };
  const program = ts.createProgram(files, all, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ` : "";
    return where + ts.flattenDiagnosticMessageText(d.messageText, "\n");
  });
}
