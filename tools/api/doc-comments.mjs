// Is every part of a package's public surface documented? Read from the declarations the package
// ships (dist/index.d.ts and what it re-exports), with the TypeScript compiler the repository
// builds with. The rules, each one a question a user asks in an editor's hover:
//
//   1. every export has a doc comment (what it is, what it does);
//   2. every method of an exported interface or class has one (the store's `claim`, `renew`...);
//   3. an exported function names each parameter with `@param`;
//   4. every property of an exported `...Options` or `...Input` type has one (the caller's knobs);
//   5. an exported function, and a method that returns a Promise, says how it fails: a `@throws`
//      tag, or "Never throws" in its comment; a `@throws` that names one of our error classes names
//      its codes, and every code named (CONFIG_..., STATE_..., PAYLOAD_...) is one that exists in an
//      exported `...ErrorCode` type of the packages checked.
import ts from 'typescript';

const ERROR_CLASSES = /\b(ConfigError|StateError|PayloadError)\b/;
const CODE_WORD = /\b(?:CONFIG|STATE|PAYLOAD)_[A-Z0-9_]*[A-Z0-9]\b/g;
const NEVER_THROWS = /\bnever throws\b/i;

const SAY = {
  nothing: 'has no doc comment: say what it is and what it does',
  method: 'has no doc comment: say what it does',
  option: 'has no doc comment: say what the option does and its default',
  param: (name) => `has no @param for \`${name}\`: say what it takes (its options and their defaults)`,
  errors: 'says nothing of its errors: add `@throws` with the error class and its codes (or "Never throws.")',
  codes: (text) => `has \`@throws ${text.split('\n')[0]}\` without the codes: name them (e.g. CONFIG_READ)`,
};

const COMPILER_OPTIONS = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  types: ['node'],
  strict: true,
  noEmit: true,
  skipLibCheck: true,
};

/** Where a declaration is, for a message: `dist/load.d.ts:12`. */
function placeOf(declaration, packageDir) {
  const file = declaration.getSourceFile();
  const { line } = file.getLineAndCharacterOfPosition(declaration.getStart());
  const name = file.fileName.startsWith(`${packageDir}/`) ? file.fileName.slice(packageDir.length + 1) : file.fileName;
  return `${name}:${line + 1}`;
}

/**
 * The doc comment of a symbol: its text (what the editor shows first) and its block tags as
 * written (`@param options - ...`, `@throws {@link ConfigError} CONFIG_READ ...`). The tags are
 * read from the comment's own text: TypeScript's JSDoc parser splits `@throws {@link X}` apart.
 */
function docOf(symbol, checker) {
  const tags = [];
  for (const declaration of symbol.getDeclarations() ?? []) {
    const comment = ts.getJSDocCommentsAndTags(declaration).filter(ts.isJSDoc).at(-1);
    if (!comment) continue;
    const body = comment
      .getText()
      .replace(/^\/\*\*|\*\/$/g, '')
      .split('\n')
      .map((line) => line.replace(/^\s*\* ?/, ''))
      .join('\n');
    for (const block of body.split(/^(?=@\w)/m).slice(1)) {
      const match = /^@(\w+)\s*([\s\S]*)$/.exec(block);
      if (match) tags.push({ name: match[1], text: match[2].trim() });
    }
    break;
  }
  return { text: ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim(), tags };
}

const signaturesOf = (symbol, checker, declaration) =>
  checker.getTypeOfSymbolAtLocation(symbol, declaration).getCallSignatures();

const returnsPromise = (symbol, checker, declaration) =>
  signaturesOf(symbol, checker, declaration).some(
    (signature) => checker.getReturnTypeOfSignature(signature).getSymbol()?.getName() === 'Promise',
  );

const has = (symbol, flags) => (symbol.flags & flags) !== 0;

/**
 * Problems with the doc comments of the packages whose entry declarations are given, one line
 * each, naming the package, the export and the file and line; empty when every rule holds.
 * @param {{ name: string, dir: string, entry: string }[]} packages
 */
export function docCommentProblems(packages) {
  const program = ts.createProgram(
    packages.map((pkg) => pkg.entry),
    COMPILER_OPTIONS,
  );
  const checker = program.getTypeChecker();
  const problems = [];
  const codesNamed = [];
  const knownCodes = new Set();
  const ours = (declaration) => packages.some((pkg) => declaration.getSourceFile().fileName.startsWith(`${pkg.dir}/`));

  for (const pkg of packages) {
    const source = program.getSourceFile(pkg.entry);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (!moduleSymbol) {
      problems.push(`${pkg.name}: ${pkg.entry} could not be read as a module (is the package built?)`);
      continue;
    }
    const where = (what, declaration) => `${pkg.name}: ${what} (${placeOf(declaration, pkg.dir)})`;
    const report = (what, declaration, rule) => problems.push(`${where(what, declaration)} ${rule}`);

    /** Rule 5, for a function or a method. */
    const checkThrows = (what, declaration, doc) => {
      const throws = doc.tags.filter((tag) => tag.name === 'throws').map((tag) => tag.text);
      if (throws.length === 0 && !NEVER_THROWS.test(doc.text)) report(what, declaration, SAY.errors);
      for (const text of throws) {
        const codes = text.match(CODE_WORD) ?? [];
        if (ERROR_CLASSES.test(text) && codes.length === 0) report(what, declaration, SAY.codes(text));
        for (const code of codes) codesNamed.push({ code, where: where(what, declaration) });
      }
    };

    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = has(exported, ts.SymbolFlags.Alias) ? checker.getAliasedSymbol(exported) : exported;
      const declaration = symbol.getDeclarations()?.[0];
      if (!declaration) continue;
      const name = exported.getName();
      const doc = docOf(symbol, checker);
      if (doc.text === '') report(name, declaration, SAY.nothing);

      if (ts.isTypeAliasDeclaration(declaration) && /ErrorCode$/.test(name)) {
        const type = checker.getDeclaredTypeOfSymbol(symbol);
        for (const member of type.isUnion() ? type.types : [type]) {
          if (member.isStringLiteral()) knownCodes.add(member.value);
        }
      }

      const callable =
        has(symbol, ts.SymbolFlags.Function | ts.SymbolFlags.Variable) && !has(symbol, ts.SymbolFlags.Class);
      const signature = callable ? signaturesOf(symbol, checker, declaration)[0] : undefined;
      if (signature) {
        const params = doc.tags.filter((tag) => tag.name === 'param');
        const documented = new Set(params.map((tag) => tag.text.split(/\s/)[0]));
        for (const parameter of signature.getParameters()) {
          if (!documented.has(parameter.getName())) report(name, declaration, SAY.param(parameter.getName()));
        }
        checkThrows(name, declaration, doc);
      }

      if (has(symbol, ts.SymbolFlags.Interface | ts.SymbolFlags.Class)) {
        for (const member of checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol))) {
          const memberDeclaration = member.getDeclarations()?.[0];
          // Members inherited from elsewhere (Error's, Node's) are documented there.
          if (!memberDeclaration || !ours(memberDeclaration)) continue;
          if (signaturesOf(member, checker, memberDeclaration).length === 0) continue;
          const memberName = `${name}.${member.getName()}`;
          const memberDoc = docOf(member, checker);
          if (memberDoc.text === '') report(memberName, memberDeclaration, SAY.method);
          if (returnsPromise(member, checker, memberDeclaration)) {
            checkThrows(memberName, memberDeclaration, memberDoc);
          }
        }
      }

      if (/(Options|Input)$/.test(name) && has(symbol, ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias)) {
        const type = checker.getDeclaredTypeOfSymbol(symbol);
        // A union of option sets (`{ stateDir } | { url }`): every property of every member.
        for (const member of type.isUnion() ? type.types : [type]) {
          for (const property of checker.getPropertiesOfType(member)) {
            const propertyDeclaration = property.getDeclarations()?.[0];
            if (propertyDeclaration && docOf(property, checker).text === '') {
              report(`${name}.${property.getName()}`, propertyDeclaration, SAY.option);
            }
          }
        }
      }
    }
  }

  for (const { code, where } of codesNamed) {
    if (!knownCodes.has(code)) {
      problems.push(`${where} names the error code ${code}, which no exported ...ErrorCode type has`);
    }
  }
  return [...new Set(problems)];
}
