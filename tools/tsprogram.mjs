// Builds a TypeScript program from a tsconfig and formats diagnostics as file:line:col.
import path from "node:path";
import ts from "typescript";

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

export function loadProgram(configPath, overrides = {}) {
  const abs = path.resolve(root, configPath);
  const read = ts.readConfigFile(abs, ts.sys.readFile);
  if (read.error) throw new Error(formatDiagnostics([read.error]).join("\n"));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(abs), overrides, abs);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  return { program, configErrors: parsed.errors };
}

export function relative(file) {
  return path.relative(root, file).split(path.sep).join("/");
}

export function where(sourceFile, pos) {
  const { line, character } = sourceFile.getLineAndCharacterOfPosition(pos);
  return `${relative(sourceFile.fileName)}:${line + 1}:${character + 1}`;
}

export function formatDiagnostics(diagnostics) {
  return diagnostics.map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (!d.file) return `TS${d.code}: ${text}`;
    return `${where(d.file, d.start ?? 0)}: TS${d.code}: ${text}`;
  });
}

/** Runs the type checker over a tsconfig and returns formatted errors. */
export function typecheck(configPath) {
  const { program, configErrors } = loadProgram(configPath);
  const diags = [...configErrors, ...ts.getPreEmitDiagnostics(program)].filter(
    (d) => d.category === ts.DiagnosticCategory.Error && !(d.code === 18003 && configErrors.includes(d)),
  );
  return { program, problems: formatDiagnostics(diags) };
}
