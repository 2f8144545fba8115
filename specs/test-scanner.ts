/**
 * Finds requirement tags in test titles. Test files are parsed with the TypeScript compiler
 * (syntax only), so a tag counts only when it sits in the title of a real `it(...)`,
 * `test(...)` or `describe(...)` call, never in a comment or in a string that merely looks
 * like a test (fixtures).
 */

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { tagsInTitle } from './requirement-id.ts';

const TEST_FUNCTIONS = new Set(['it', 'test', 'describe']);
/** Modifiers under which the test body does not run, or runs expecting failure. */
const NOT_RUN = new Set(['skip', 'todo', 'fails']);

export interface TaggedTitle {
  /** Repo-relative path of the test file. */
  readonly file: string;
  /** 1-based line of the call. */
  readonly line: number;
  readonly title: string;
  /** `it.skip`, `describe.todo`, `it.fails`: the tagged code does not demonstrate the rule. */
  readonly skipped: boolean;
  readonly ids: readonly string[];
}

interface Callee {
  readonly name: string;
  readonly modifiers: readonly string[];
}

/**
 * Recognises `it`, `it.skip`, `describe.each(table)`, `test.skipIf(cond)`, `it.each\`...\``
 * and their combinations; returns undefined for any other callee.
 */
function resolveCallee(expression: ts.Expression): Callee | undefined {
  if (ts.isIdentifier(expression)) {
    return TEST_FUNCTIONS.has(expression.text) ? { name: expression.text, modifiers: [] } : undefined;
  }
  if (ts.isPropertyAccessExpression(expression)) {
    const inner = resolveCallee(expression.expression);
    return inner && { name: inner.name, modifiers: [...inner.modifiers, expression.name.text] };
  }
  if (ts.isCallExpression(expression)) return resolveCallee(expression.expression);
  if (ts.isTaggedTemplateExpression(expression)) return resolveCallee(expression.tag);
  return undefined;
}

/** Static text of a title; the substituted parts of a template become `…`. */
function titleText(node: ts.Expression | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) {
    return node.head.text + node.templateSpans.map((span) => `…${span.literal.text}`).join('');
  }
  return undefined;
}

/** Every test title in `source` that carries at least one `[DOC-...]` tag. */
export function scanTestSource(source: string, file: string): TaggedTitle[] {
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: TaggedTitle[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = resolveCallee(node.expression);
      const title = callee && titleText(node.arguments[0]);
      if (callee !== undefined && title !== undefined) {
        const ids = tagsInTitle(title);
        if (ids.length > 0) {
          const { line } = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
          const skipped = callee.modifiers.some((modifier) => NOT_RUN.has(modifier));
          found.push({ file, line: line + 1, title, skipped, ids });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

/** Folders never searched for tests. */
function isIgnoredDirectory(name: string): boolean {
  return name === 'node_modules' || name.startsWith('.');
}

/** Repo-relative paths (with `/`) of every `*.test.ts` under `root`, sorted. */
export function findTestFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (relative: string): void => {
    const entries = readdirSync(path.join(root, relative), { withFileTypes: true });
    for (const entry of entries) {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!isIgnoredDirectory(entry.name)) walk(child);
      } else if (entry.isFile() && entry.name.endsWith('.test.ts')) {
        files.push(child);
      }
    }
  };
  walk('');
  return files.sort();
}

/** Reads and scans one repo-relative test file; undefined when it does not exist. */
export function scanTestFile(root: string, file: string): TaggedTitle[] | undefined {
  let source: string;
  try {
    source = readFileSync(path.join(root, file), 'utf8');
  } catch {
    return undefined;
  }
  return scanTestSource(source, file);
}
