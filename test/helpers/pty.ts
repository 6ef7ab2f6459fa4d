// Runs the real binary in a pseudo-terminal (@lydell/node-pty), for what only a terminal shows:
// colour, drawn tables, wrapping at the terminal's width, hidden prompts, Ctrl-C.
import { spawn, type IPty } from '@lydell/node-pty';
import { BIN } from './cli.js';

export interface PtyResult {
  /** Everything the terminal received (stdout and stderr share it), \r\n as the terminal got it. */
  output: string;
  exitCode: number;
}

export interface PtyOptions {
  cols?: number;
  rows?: number;
  /** Called on every chunk with all the output so far: answer prompts, send Ctrl-C. */
  onData?: (output: string, pty: IPty) => void;
  /** Run this shell command instead of the binary (`$AEP_ZOHO` in it is the binary). */
  shell?: string;
}

export function ptyRun(
  argv: string[],
  env: Record<string, string | undefined>,
  options: PtyOptions = {},
): Promise<PtyResult> {
  const fullEnv = { TERM: 'xterm-256color', ...env, AEP_ZOHO: `${process.execPath} ${BIN}` } as Record<string, string>;
  const pty = options.shell
    ? spawn('bash', ['--noprofile', '--norc', '-c', options.shell], {
        cols: options.cols ?? 80,
        rows: options.rows ?? 40,
        env: fullEnv,
      })
    : spawn(process.execPath, [BIN, ...argv], { cols: options.cols ?? 80, rows: options.rows ?? 40, env: fullEnv });
  let output = '';
  return new Promise((resolve) => {
    pty.onData((data) => {
      output += data;
      options.onData?.(output, pty);
    });
    pty.onExit(({ exitCode, signal }) => resolve({ output, exitCode: signal ? 128 + signal : exitCode }));
  });
}

/** The text without colour and cursor sequences, lines joined with \n. */
export const plain = (text: string): string => text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r\n/g, '\n');
