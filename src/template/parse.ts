// A template file's text to a value: JSON.parse, and on a syntax error a message that names the
// file, line and column (load.ts validates what comes out). jsonc-parser is loaded only then.
import { createRequire } from 'node:module';
import { isAbsolute, relative, resolve } from 'node:path';
import type { ParseError } from 'jsonc-parser';
import { UsageError } from '../core/errors.js';

const lazy = createRequire(import.meta.url);
const jsonc = () => lazy('jsonc-parser') as typeof import('jsonc-parser');

/**
 * JSON.parse with a message that names the file, line and column of a syntax error. V8 does not
 * always say where ("Unexpected token 'x', …" has no position), so the place and the reason come
 * from jsonc-parser's scanner (VS Code's), strict JSON: no comments, no trailing commas.
 */
export function parseTemplateText(text: string, file: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // editors on Windows may write a BOM
  try {
    return JSON.parse(body);
  } catch (error) {
    const message = (error as Error).message;
    const found: ParseError[] = [];
    const { parse: parseJsonc, printParseErrorCode } = jsonc();
    parseJsonc(body, found, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = found[0];
    const { line, column } = first ? lineAndColumn(body, first.offset) : syntaxErrorPosition(body, message);
    // V8's wording without its own position suffix (it counts characters, people count lines).
    const reason = first
      ? body.slice(first.offset).trim() === ''
        ? 'unexpected end of file'
        : (JSONC_REASONS[printParseErrorCode(first.error)] ?? printParseErrorCode(first.error))
      : message
          .replace(/\s*\(line \d+ column \d+\)/, '')
          .replace(/\s+in JSON at position \d+.*$/s, '')
          .replace(/, "[\s\S]*" is not valid JSON$/, '')
          .replace(/^Unexpected end of JSON input$/, 'unexpected end of file');
    throw new UsageError(`${displayPath(file)}: invalid JSON at line ${line}, column ${column}: ${reason}.`, {
      hint: 'Fix the syntax (a missing comma or quote, a trailing comma, a comment) and try again.',
    });
  }
}

/** jsonc-parser's error codes in words. */
const JSONC_REASONS: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'a property name in double quotes expected (a trailing comma?)',
  ValueExpected: 'a value expected (a trailing comma?)',
  ColonExpected: "':' expected",
  CommaExpected: "',' expected (one is missing before this)",
  CloseBraceExpected: "'}' expected",
  CloseBracketExpected: "']' expected",
  EndOfFileExpected: 'more text after the end of the JSON',
  InvalidCommentToken: 'a comment (JSON has none)',
  UnexpectedEndOfComment: 'an unterminated comment',
  UnexpectedEndOfString: 'an unterminated string (a missing closing quote?)',
  UnexpectedEndOfNumber: 'an unterminated number',
  InvalidUnicode: 'an invalid \\u escape',
  InvalidEscapeCharacter: 'an invalid escape in a string',
  InvalidCharacter: 'a character a string cannot hold as it is (a line break or tab?)',
};

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

function syntaxErrorPosition(text: string, message: string): { line: number; column: number } {
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lineColumn) return { line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
  const position = /at position (\d+)/.exec(message);
  return lineAndColumn(text, position ? Number(position[1]) : text.length);
}

/**
 * How a file is shown in messages: relative to the working directory when inside it. That is the
 * directory loadTemplate's resolve() found the file from: resolve() with no path names it.
 */
export function displayPath(file: string): string {
  const rel = relative(resolve(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
