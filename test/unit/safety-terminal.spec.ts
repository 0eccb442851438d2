// Names from Google reach the terminal (issue 14 point 9): a file name may hold escape
// sequences (ESC ] … BEL sets the window title, CSI moves the cursor), C1 controls and
// bidirectional overrides that make a line read as something else. Every line the logger
// prints escapes them visibly; the JSON lines stay valid JSON with the same text.
import { test, expect } from '@playwright/test';
import { createLogger, printable, setConsoleWriter } from '../../src/log.js';

const HOSTILE = 'IMG\u001b]0;owned\u0007_\u001b[2J\u009b31m\u202egpj.exe\u200b.jpg';

function captured(pretty: boolean): string {
  let text = '';
  setConsoleWriter((line) => (text += line));
  try {
    const logger = createLogger({ pretty });
    logger.warn({ fileName: HOSTILE }, `download of ${HOSTILE} failed`);
    logger.flush?.();
  } finally {
    setConsoleWriter(null);
  }
  return text;
}

/** Controls other than newline and tab, C1 controls, and the invisible or direction-changing characters. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

test('pretty log lines print a hostile name with its controls escaped, only the logger\'s own colours left', () => {
  const text = captured(true);
  const withoutColours = text.replace(/\u001b\[[0-9;]*m/g, '');
  expect(withoutColours).not.toMatch(UNSAFE);
  expect(withoutColours).toContain('download of IMG');
  expect(withoutColours).toContain('\\u202e');
});

test('JSON log lines stay valid JSON carrying the same text, with nothing a terminal would act on', () => {
  const text = captured(false);
  expect(text).not.toMatch(UNSAFE);
  const line = JSON.parse(text.trim().split('\n').pop()!);
  expect(line.fileName).toBe(HOSTILE);
  expect(line.msg).toBe(`download of ${HOSTILE} failed`);
});

test('printable() keeps ordinary text, newlines and tabs, and escapes the rest', () => {
  expect(printable('Tuscan hills — Cortona.jpg\tok\n')).toBe('Tuscan hills — Cortona.jpg\tok\n');
  expect(printable(HOSTILE)).not.toMatch(UNSAFE);
  expect(printable('a\u202eb')).toBe('a\\u202eb');
});
