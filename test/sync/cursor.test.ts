// The cursor's rules (src/sync/cursor.ts) as tables: which record was already sent, where a page
// moves the cursor, when a crowded second is kept compact, and how two cursors combine.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { advance, alreadySent, later, walkFrom, type Cursor, type Fate } from '../../src/sync/cursor.js';

const T = '2026-11-30T10:00:05+05:30';
const T_UTC = '2026-11-30T04:30:05Z'; // the same second written in UTC
const T2 = '2026-11-30T10:00:06+05:30';
const EARLY = '2026-11-30T10:00:04+05:30';
const cursor = (at: string | undefined, ids: string[], through?: string): Cursor => ({
  at,
  ids: new Set(ids),
  ...(through ? { through } : {}),
});
const view = (c: Cursor) => ({ at: c.at, ids: [...c.ids].sort(), through: c.through });

test('alreadySent: at the cursor second, listed or up to `through` (ids compared as numbers)', () => {
  const table: Array<[string, Cursor, string, string, boolean]> = [
    ['no cursor', cursor(undefined, []), '1', T, false],
    ['listed at the second', cursor(T, ['7']), '7', T, true],
    ['the same second in another offset', cursor(T, ['7']), '7', T_UTC, true],
    ['listed, but changed since', cursor(T, ['7']), '7', T2, false],
    ['not listed', cursor(T, ['7']), '8', T, false],
    ['up to through', cursor(T, [], '50'), '9', T, true],
    ['through itself', cursor(T, [], '50'), '50', T, true],
    ['after through (longer id is larger)', cursor(T, [], '50'), '100', T, false],
    ['after through, listed', cursor(T, ['100'], '50'), '100', T, true],
    ['an unreadable time', cursor(T, ['7']), '7', 'yesterday', false],
  ];
  for (const [name, c, id, time, expected] of table) assert.equal(alreadySent(c, id, time), expected, name);
});

test('advance: through the acknowledged prefix of a page; compact only for a settled second over the cap', () => {
  const settled = Math.floor(Date.parse(T2) / 1000) + 1; // T and T2 are over
  const recent = Math.floor(Date.parse(T) / 1000); // T is not
  const r = (id: string, time: string) => ({ id, time });
  const ok: Fate = 'acked';
  const table: Array<
    [string, Cursor, Array<{ id: string; time: string }>, Fate[], number, number, ReturnType<typeof view>]
  > = [
    [
      'a new second resets the ids',
      cursor(EARLY, ['1']),
      [r('2', T), r('3', T)],
      [ok, ok],
      settled,
      9,
      view(cursor(T, ['2', '3'])),
    ],
    [
      'stops at the first failure',
      cursor(undefined, []),
      [r('2', T), r('3', T2)],
      [ok, 'failed'],
      settled,
      9,
      view(cursor(T, ['2'])),
    ],
    [
      'not sent stops too',
      cursor(undefined, []),
      [r('2', T), r('3', T2)],
      [ok, 'not-sent'],
      settled,
      9,
      view(cursor(T, ['2'])),
    ],
    [
      'already sent moves it',
      cursor(T, ['2']),
      [r('2', T), r('3', T)],
      ['already-sent', ok],
      settled,
      9,
      view(cursor(T, ['2', '3'])),
    ],
    ['an older record leaves it', cursor(T, ['2']), [r('1', EARLY)], [ok], settled, 9, view(cursor(T, ['2']))],
    [
      'no time: neither moves nor blocks',
      cursor(T, ['2']),
      [r('5', ''), r('6', T)],
      [ok, ok],
      settled,
      9,
      view(cursor(T, ['2', '6'])),
    ],
    [
      'over the cap, settled: compact',
      cursor(T, ['2']),
      [r('3', T), r('4', T)],
      [ok, ok],
      settled,
      2,
      view(cursor(T, [], '4')),
    ],
    [
      'over the cap, not settled: every id',
      cursor(T, ['2']),
      [r('3', T), r('4', T)],
      [ok, ok],
      recent,
      2,
      view(cursor(T, ['2', '3', '4'])),
    ],
    [
      'compact keeps listed ids after the key',
      cursor(T, ['2', '90']),
      [r('3', T), r('4', T)],
      [ok, ok],
      settled,
      2,
      view(cursor(T, ['90'], '4')),
    ],
    [
      'compact from a through',
      cursor(T, [], '4'),
      [r('5', T), r('6', T)],
      [ok, ok],
      settled,
      1,
      view(cursor(T, [], '6')),
    ],
    ['a new second drops the through', cursor(T, [], '4'), [r('5', T2)], [ok], settled, 1, view(cursor(T2, ['5']))],
    [
      'nothing acknowledged: unchanged',
      cursor(T, [], '4'),
      [r('5', T)],
      ['failed'],
      settled,
      1,
      view(cursor(T, [], '4')),
    ],
  ];
  for (const [name, c, records, fates, settledBefore, maxIds, expected] of table)
    assert.deepEqual(view(advance(c, records, fates, { settledBefore, maxIds })), expected, name);
});

test('advance: never past the live edge; the records after it are read again next pass', () => {
  const [t, t2] = [Math.floor(Date.parse(T) / 1000), Math.floor(Date.parse(T2) / 1000)];
  const r = (id: string, time: string) => ({ id, time });
  const ok: Fate = 'acked';
  const table: Array<[string, Cursor, Array<{ id: string; time: string }>, number, ReturnType<typeof view>]> = [
    ['the edge second itself is taken', cursor(EARLY, ['1']), [r('2', T), r('3', T2)], t2, view(cursor(T2, ['3']))],
    ['stops before a later second', cursor(EARLY, ['1']), [r('2', T), r('3', T2)], t, view(cursor(T, ['2']))],
    ['everything past it: unchanged', cursor(EARLY, ['1']), [r('2', T), r('3', T2)], t - 1, view(cursor(EARLY, ['1']))],
    ['the same second joins ids', cursor(T, ['2']), [r('3', T), r('4', T2)], t, view(cursor(T, ['2', '3']))],
  ];
  for (const [name, c, records, edge, expected] of table)
    assert.deepEqual(
      view(
        advance(
          c,
          records,
          records.map(() => ok),
          { edge, maxIds: 9 },
        ),
      ),
      expected,
      name,
    );
});

test('later: the later second wins; the same second joins ids and keeps the larger through', () => {
  const table: Array<[string, Cursor, Cursor, ReturnType<typeof view>]> = [
    ['b empty', cursor(T, ['1']), cursor(undefined, []), view(cursor(T, ['1']))],
    ['b later', cursor(T, ['1']), cursor(T2, ['2']), view(cursor(T2, ['2']))],
    ['a later', cursor(T2, ['1']), cursor(T, ['2']), view(cursor(T2, ['1']))],
    ['same second', cursor(T, ['1']), cursor(T_UTC, ['2']), view(cursor(T, ['1', '2']))],
    [
      'same second, throughs',
      cursor(T, ['9', '60'], '10'),
      cursor(T, ['70'], '50'),
      view(cursor(T, ['60', '70'], '50')),
    ],
  ];
  for (const [name, a, b, expected] of table) assert.deepEqual(view(later(a, b)), expected, name);
});

test('walkFrom: the start, the cursor second inclusive, or after its compact key', () => {
  assert.deepEqual(walkFrom(cursor(undefined, [])), {});
  assert.deepEqual(walkFrom(cursor(T, ['1'])), { at: T });
  assert.deepEqual(walkFrom(cursor(T, ['90'], '4')), { at: T, id: '4' });
});
