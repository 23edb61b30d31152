import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import solc from 'solc';
import { z } from 'zod';

/** Directory every source and import must live in, but for the packages below. */
export const contractsRoot = resolve(__dirname);

/** npm packages whose Solidity files may be imported by package name ("@openzeppelin/contracts/utils/Address.sol"). */
export const solidityPackages: readonly string[] = ['@openzeppelin/contracts'];

export interface CompileOptions {
  /** Default: solc's own default for this compiler version. */
  evmVersion?: string;
  /** Optimizer runs; the optimizer is always on. Default 200. */
  optimizerRuns?: number;
}

export interface CompiledContract {
  /** Source unit name, relative to contracts/ ("test/Counter.sol"). */
  sourceUnit: string;
  contractName: string;
  abi: readonly unknown[];
  /** 0x-prefixed creation bytecode. */
  bytecode: string;
  /** 0x-prefixed runtime bytecode. */
  deployedBytecode: string;
  /** Compiler warnings for the whole compilation. */
  warnings: readonly string[];
}

export interface CompilerMessage {
  severity: string;
  type: string;
  formattedMessage: string;
}

export class SolidityCompileError extends Error {
  override readonly name = 'SolidityCompileError';
  constructor(readonly errors: readonly CompilerMessage[]) {
    super(`solc: ${errors.length} error(s):\n${errors.map((error) => error.formattedMessage.trim()).join('\n')}`);
  }
}

export class ContractNotFoundError extends Error {
  override readonly name = 'ContractNotFoundError';
  constructor(
    readonly sourceUnit: string,
    readonly contractName: string,
    detail: string,
  ) {
    super(`${sourceUnit}:${contractName}: ${detail}`);
  }
}

const compilerMessageSchema = z.object({ severity: z.string(), type: z.string(), formattedMessage: z.string() });
const contractOutputSchema = z.object({
  abi: z.array(z.unknown()),
  evm: z.object({
    bytecode: z.object({ object: z.string().regex(/^[0-9a-f]*$/) }),
    deployedBytecode: z.object({ object: z.string().regex(/^[0-9a-f]*$/) }),
  }),
});
const standardOutputSchema = z.object({
  errors: z.array(compilerMessageSchema).optional(),
  contracts: z.record(z.string(), z.record(z.string(), contractOutputSchema)).optional(),
});

type ImportResult = { contents: string } | { error: string };
const compileStandardJson = solc.compile as (input: string, callbacks: { import: (path: string) => ImportResult }) => string;

/**
 * Compiles in-memory sources (source unit name -> Solidity text) with the bundled solc-js; imports
 * are read only from files under contracts/ and, by package name, from `solidityPackages`. Returns
 * every contract by source unit and name.
 */
export function compileSources(
  sources: Readonly<Record<string, string>>,
  options: CompileOptions = {},
): Map<string, Map<string, CompiledContract>> {
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(Object.entries(sources).map(([unit, content]) => [unit, { content }])),
    settings: {
      optimizer: { enabled: true, runs: options.optimizerRuns ?? 200 },
      ...(options.evmVersion === undefined ? {} : { evmVersion: options.evmVersion }),
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
    },
  };
  const output = standardOutputSchema.parse(JSON.parse(compileStandardJson(JSON.stringify(input), { import: readContractFile })));
  const messages = output.errors ?? [];
  const errors = messages.filter((message) => message.severity === 'error');
  if (errors.length > 0) throw new SolidityCompileError(errors);
  const warnings = messages.filter((message) => message.severity === 'warning').map((message) => message.formattedMessage.trim());

  const compiled = new Map<string, Map<string, CompiledContract>>();
  for (const [sourceUnit, contracts] of Object.entries(output.contracts ?? {})) {
    const byName = new Map<string, CompiledContract>();
    for (const [contractName, contract] of Object.entries(contracts)) {
      byName.set(contractName, {
        sourceUnit,
        contractName,
        abi: contract.abi,
        bytecode: `0x${contract.evm.bytecode.object}`,
        deployedBytecode: `0x${contract.evm.deployedBytecode.object}`,
        warnings,
      });
    }
    compiled.set(sourceUnit, byName);
  }
  return compiled;
}

/** Compiles contracts/<sourceUnit> and returns the named contract, which must be deployable. */
export function compileContract(sourceUnit: string, contractName: string, options: CompileOptions = {}): CompiledContract {
  const source = readContractFile(sourceUnit);
  if ('error' in source) throw new ContractNotFoundError(sourceUnit, contractName, source.error);
  const contract = compileSources({ [sourceUnit]: source.contents }, options).get(sourceUnit)?.get(contractName);
  if (!contract) throw new ContractNotFoundError(sourceUnit, contractName, 'no such contract in the compiler output');
  if (contract.bytecode === '0x') throw new ContractNotFoundError(sourceUnit, contractName, 'is abstract or an interface (no bytecode)');
  return contract;
}

/**
 * Reads a source unit from contracts/, or from a package's directory when the unit starts with the
 * name of one of `solidityPackages`, refusing any path that leaves that directory.
 */
function readContractFile(sourceUnit: string): ImportResult {
  const pkg = solidityPackages.find((name) => sourceUnit.startsWith(`${name}/`));
  let root = contractsRoot;
  let rootName = 'contracts';
  let unit = sourceUnit;
  if (pkg !== undefined) {
    try {
      root = dirname(require.resolve(`${pkg}/package.json`, { paths: [contractsRoot] }));
    } catch {
      return { error: `cannot find the package ${pkg} (is it installed?)` };
    }
    rootName = pkg;
    unit = sourceUnit.slice(pkg.length + 1);
  }
  const path = resolve(root, unit);
  const inside = relative(root, path);
  if (isAbsolute(unit) || inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
    return { error: `import ${JSON.stringify(sourceUnit)} is outside ${rootName}/` };
  }
  try {
    return { contents: readFileSync(path, 'utf8') };
  } catch (error) {
    return { error: `cannot read ${rootName}/${inside}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
}
