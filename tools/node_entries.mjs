/**
 * How the Node package serves both module systems from one implementation.
 *
 * The CommonJS build (dist/node/*.cjs) is the only copy of the runtime. Each ES module entry
 * (dist/node/<entry>.mjs) is a few lines that import that entry's CommonJS file and re-export
 * its names, so `import` and `require` of kyoto in one process share every class, pool and
 * the current runtime (a CommonJS `sleep` inside an ESM `run()` uses that runtime's clock).
 * The other direction (CommonJS requiring ESM) needs `require(esm)`, which Node 20 has only
 * from 20.19 on; this works on every Node the package supports.
 *
 * The declarations come twice: `<entry>.d.ts` for `import` (the package is `"type":
 * "module"`, so TypeScript reads them as ES modules) and `<entry>.d.cts` for `require`, the
 * same text with its relative imports pointing at the `.cjs` twins, so TypeScript's node16 /
 * nodenext resolution types a CommonJS consumer as CommonJS.
 */

/** Output plugin for the CommonJS build: writes the ES module entry beside each entry chunk. */
export function esmEntries() {
  return {
    name: "kyoto-esm-entries",
    generateBundle(options, bundle) {
      if (options.format !== "cjs") this.error("esmEntries() belongs on the CommonJS output");
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== "chunk" || !chunk.isEntry) continue;
        const names = chunk.exports.filter((n) => n !== "default" && n !== "__esModule");
        const cjs = chunk.fileName.slice(chunk.fileName.lastIndexOf("/") + 1);
        const lines = [
          `// The ES module face of ${cjs}: the same objects, one copy of the runtime (tools/node_entries.mjs).`,
          `import cjs from "./${cjs}";`,
          names.length ? `export var { ${names.join(", ")} } = cjs;` : "",
          "",
        ];
        this.emitFile({ type: "asset", fileName: chunk.fileName.replace(/\.cjs$/, ".mjs"), source: lines.join("\n") });
      }
    },
  };
}

/** Output plugin for the declaration build: a `.d.cts` twin of every `.d.ts` it writes. */
export function ctsTwins() {
  return {
    name: "kyoto-cts-twins",
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== "chunk" || !chunk.fileName.endsWith(".d.ts")) continue;
        const source = chunk.code.replace(/(from\s+|import\s*\(\s*)(["'])(\.\.?\/[^"']*?)\.js\2/g, "$1$2$3.cjs$2");
        this.emitFile({ type: "asset", fileName: chunk.fileName.replace(/\.d\.ts$/, ".d.cts"), source });
      }
    },
  };
}
