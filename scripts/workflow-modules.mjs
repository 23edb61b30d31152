// The project-local modules that end up in a Temporal workflow bundle, i.e. the code that runs in
// Temporal's deterministic sandbox. eslint.config.mjs applies the sandbox rules to exactly this set,
// so a module that becomes bundled is covered without anyone editing a hand-written list.
//
// How the set is computed:
//  1. Entry points: every file handed to Temporal's bundler. These are the modules named by a
//     `require.resolve('<literal>')` whose value is a `workflowsPath`, a `*WorkflowsPath`, a
//     `failureConverterPath`/`payloadConverterPath` or an entry of `workflowModules` (interceptors),
//     found by walking the TypeScript AST of every file in tsconfig.json (so a new test fixture that
//     is bundled is picked up as well), plus the known entry points below as a floor.
//  2. Closure: from the entry points, follow runtime module references - `import ... from`,
//     `import 'x'`, `export ... from`, `import x = require()`, `require('x')` and `import('x')` -
//     resolved with TypeScript's own module resolution and the project's compiler options, and
//     keep the files outside node_modules.
//
// Type-only references are NOT followed: `import type`, `export type ... from`, and import/export
// declarations whose every named specifier is `type` (and that have no default or namespace binding)
// are erased by the compiler and never reach the bundle. A value import whose bindings are only used
// as types is still followed (an over-approximation that at worst lints a file too strictly).
//
// Usage: `node scripts/workflow-modules.mjs` prints the list; `--entries` prints the entry points.
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ts = require('typescript');

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Entry points that are always bundled (the production workers and the bundle writer). */
export const knownEntryPoints = [
  'workflows/index.ts', // processor worker: temporal/processor-worker.ts `workflowsPath`
  'devnet/coordinator/workflows.ts', // devnet coordinator worker: `coordinatorWorkflowsPath`
  'temporal/failure-converter.ts', // `failureConverterPath`, loaded inside the sandbox too
];

/** Names whose `require.resolve(...)` value is handed to Temporal's workflow bundler. */
const bundlerOption = /^(?:workflowsPath|\w*WorkflowsPath|failureConverterPath|payloadConverterPath|workflowModules)$/;

function loadProject(root) {
  const configPath = join(root, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root, undefined, configPath);
  const host = {
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
    realpath: ts.sys.realpath,
    getCurrentDirectory: () => root,
    useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames,
  };
  const cache = ts.createModuleResolutionCache(root, (f) => (ts.sys.useCaseSensitiveFileNames ? f : f.toLowerCase()), parsed.options);
  return { options: parsed.options, fileNames: parsed.fileNames, host, cache };
}

function parse(fileName) {
  const text = ts.sys.readFile(fileName);
  if (text === undefined) throw new Error(`cannot read ${fileName}`);
  return ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
}

function isLocal(root, fileName) {
  const rel = relative(root, fileName);
  return !rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('node_modules');
}

function resolveFrom(project, specifier, containingFile) {
  const mode = ts.getImpliedNodeFormatForFile(containingFile, project.cache.getPackageJsonInfoCache(), project.host, project.options);
  const { resolvedModule } = ts.resolveModuleName(specifier, containingFile, project.options, project.host, project.cache, undefined, mode);
  return resolvedModule?.resolvedFileName;
}

function isRequireCall(node, member) {
  if (!ts.isCallExpression(node) || node.arguments.length !== 1 || !ts.isStringLiteralLike(node.arguments[0])) return false;
  const callee = node.expression;
  if (member === undefined) return ts.isIdentifier(callee) && callee.text === 'require';
  return ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'require' && callee.name.text === member;
}

/** True when every binding of an import/export declaration is type-only, so the compiler erases it. */
function isTypeOnly(node) {
  if (ts.isImportDeclaration(node)) {
    const clause = node.importClause;
    if (!clause) return false; // `import 'x'`: a side-effect import
    if (clause.isTypeOnly) return true;
    if (clause.name) return false; // a default binding
    const bindings = clause.namedBindings;
    if (!bindings || ts.isNamespaceImport(bindings)) return false;
    return bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
  }
  if (ts.isExportDeclaration(node)) {
    if (node.isTypeOnly) return true;
    const clause = node.exportClause;
    if (!clause || ts.isNamespaceExport(clause)) return false; // `export * from`, `export * as ns from`
    return clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
  }
  return false;
}

/** The module specifiers a file references at run time (type-only references left out). */
function runtimeSpecifiers(sourceFile) {
  const specifiers = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteralLike(node.moduleSpecifier)) {
      if (!isTypeOnly(node)) specifiers.push(node.moduleSpecifier.text);
      return;
    }
    if (ts.isImportEqualsDeclaration(node)) {
      const ref = node.moduleReference;
      if (!node.isTypeOnly && ts.isExternalModuleReference(ref) && ts.isStringLiteralLike(ref.expression)) specifiers.push(ref.expression.text);
      return;
    }
    if (ts.isImportTypeNode(node)) return; // `import('x').T` in a type position
    if (isRequireCall(node)) specifiers.push(node.arguments[0].text);
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
      specifiers.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return specifiers;
}

/** The name a `require.resolve(...)` value is bound to: a variable, a property, or a property holding an array of them. */
function bindingName(node) {
  let parent = node.parent;
  if (parent && ts.isArrayLiteralExpression(parent)) parent = parent.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.initializer !== undefined && ts.isIdentifier(parent.name)) {
    return parent.name.text;
  }
  return undefined;
}

/** Files handed to Temporal's bundler anywhere in the project (sources, tests, scripts). */
export function discoverEntryPoints(root = repoRoot, project = loadProject(root)) {
  const found = new Set();
  for (const fileName of project.fileNames) {
    if (!isLocal(root, fileName)) continue;
    const text = ts.sys.readFile(fileName) ?? '';
    if (!text.includes('require.resolve')) continue; // cheap filter before parsing
    const visit = (node) => {
      if (isRequireCall(node, 'resolve') && bundlerOption.test(bindingName(node) ?? '')) {
        const target = resolveFrom(project, node.arguments[0].text, fileName);
        if (!target) throw new Error(`${relative(root, fileName)}: cannot resolve bundled module '${node.arguments[0].text}'`);
        if (isLocal(root, target)) found.add(target);
      }
      ts.forEachChild(node, visit);
    };
    visit(parse(fileName));
  }
  return found;
}

function toRepoPath(root, fileName) {
  return relative(root, fileName).split(sep).join('/');
}

/**
 * Every project-local module in a Temporal workflow bundle, as sorted repo-relative paths
 * (forward slashes). Throws if a known entry point is missing or a local import does not resolve.
 * `root` and `entryPoints` default to this repository; tests pass a scratch project.
 */
export function workflowModules(root = repoRoot, entryPoints = knownEntryPoints) {
  const project = loadProject(root);
  const entries = new Set(discoverEntryPoints(root, project));
  for (const entry of entryPoints) {
    const fileName = join(root, entry);
    if (!ts.sys.fileExists(fileName)) throw new Error(`workflow entry point ${entry} does not exist`);
    entries.add(fileName);
  }
  const seen = new Set();
  const queue = [...entries];
  while (queue.length > 0) {
    const fileName = queue.pop();
    if (seen.has(fileName)) continue;
    seen.add(fileName);
    if (!/\.[cm]?[jt]sx?$/.test(fileName) || fileName.endsWith('.d.ts')) continue; // JSON etc.: a leaf
    for (const specifier of runtimeSpecifiers(parse(fileName))) {
      const target = resolveFrom(project, specifier, fileName);
      if (target === undefined) {
        if (specifier.startsWith('.')) throw new Error(`${toRepoPath(root, fileName)}: cannot resolve '${specifier}'`);
        continue; // a package or builtin the bundler handles (or rejects) itself
      }
      if (isLocal(root, target) && !target.endsWith('.d.ts')) queue.push(target);
    }
  }
  return [...seen].map((f) => toRepoPath(root, f)).sort();
}

/** The entry points, as sorted repo-relative paths. */
export function workflowEntryPoints(root = repoRoot, entryPoints = knownEntryPoints) {
  const entries = new Set([...discoverEntryPoints(root)].map((f) => toRepoPath(root, f)));
  for (const entry of entryPoints) entries.add(entry);
  return [...entries].sort();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const list = process.argv.includes('--entries') ? workflowEntryPoints() : workflowModules();
  for (const file of list) console.log(file);
}
