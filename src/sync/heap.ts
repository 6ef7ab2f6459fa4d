// Heap upkeep for a sync process, set up by the command (run.ts) when a pass starts, never on
// import. Where a pass's memory goes (issue 23; 25,000 records at 50 ms, peak RSS 136 MB before
// this): ~52 MB is the process with its modules loaded, ~20 MB more the native side of the
// requests, ~20 MB the live heap, and the rest the young generation (32 MB) and old-space garbage.
// Each inlet post allocated about 100 KB on got (its request options and Node's copies of them);
// the posts now run on node:http (src/http/lean.ts) and allocate far less, but the 50 posts in
// flight are still alive at every scavenge, so their objects survive and are promoted. Two levers:
//
// - The young generation stops growing at YOUNG_CAP_BYTES. V8 grows the new space by the bytes
//   that survive its collections, up to two 16 MB semi-spaces (all of it resident), whatever the
//   pass keeps; start-up has already grown it to 8 MB when a pass begins. Kept there, the pass's
//   peak RSS falls by ~20 MB (136 -> 115-118 MB) at the same CPU per record. A V8 flag set at run
//   time, for this process only (`--semi-space-growth-factor=1` once the new space reached the
//   cap): the flags that size the young generation outright (`--max-semi-space-size`) are read
//   only when the process starts.
// - A full collection once the old generation grew by COLLECT_AFTER_BYTES: the promoted objects
//   of finished posts are garbage that V8 would otherwise let accumulate (old space grows to ~75
//   MB for 2,500 records, 140 MB RSS). Measured on the old generation alone: the new space's fill
//   comes and goes with every scavenge, and counting it (as before) ran a full collection every
//   few hundred records (233 for 25,000 records; now about 110). `--expose-gc` only makes `gc`
//   reachable, from a new context.
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Old-generation growth since the last collection that calls for the next one (at least). */
const COLLECT_AFTER_BYTES = 4 * 1024 * 1024;

/** The young generation's size (both semi-spaces) past which it no longer grows. */
export const YOUNG_CAP_BYTES = 8 * 1024 * 1024;

let gc: (() => void) | undefined;
/** Passes under way in this process: the young generation is capped while any is. */
let passes = 0;
let youngCapped = false;

/** The new space's size now (both semi-spaces), in bytes. */
export const youngGeneration = (): number =>
  getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;

/**
 * What the old generation holds now (bytes used outside the new space): the young generation's
 * fill comes and goes with every scavenge and says nothing of what the pass keeps.
 */
function oldGeneration(): number {
  let used = 0;
  for (const space of getHeapSpaceStatistics())
    if (space.space_name !== 'new_space' && space.space_name !== 'new_large_object_space')
      used += space.space_used_size;
  return used;
}

/** Stops the young generation's growth once it reached YOUNG_CAP_BYTES (V8 never shrinks it while a pass allocates). */
function capYoungGeneration(): void {
  if (youngCapped || youngGeneration() < YOUNG_CAP_BYTES) return;
  setFlagsFromString('--semi-space-growth-factor=1');
  youngCapped = true;
}

export interface HeapUpkeep {
  /** Between pages and every 100 posts: caps the young generation, and collects once the old one grew. */
  collect(): void;
  /** After the pass: the young generation grows as V8 decides again (its default growth factor, 2). */
  end(): void;
}

/**
 * The upkeep of one pass: a full collection once the old generation grew by COLLECT_AFTER_BYTES,
 * or a quarter of what the last one left if that is more (the RSS of a sync process, a small
 * heap, stays flat, and a process whose heap is large for other reasons, a test hosting the
 * emulator's 100,000 records, does not pay a full collection of it every few hundred records),
 * and the young generation capped until the pass ends.
 */
export function heapUpkeep(): HeapUpkeep {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  const full = gc;
  let oldAfterCollection = 0;
  let ended = false;
  passes++;
  capYoungGeneration();
  return {
    collect: () => {
      // A post still settling after a cancelled pass must not cap the young generation again.
      if (ended) return;
      capYoungGeneration();
      const grown = oldGeneration() - oldAfterCollection;
      if (grown < Math.max(COLLECT_AFTER_BYTES, oldAfterCollection / 4)) return;
      full();
      oldAfterCollection = oldGeneration();
    },
    end: () => {
      if (ended) return;
      ended = true;
      if (--passes > 0 || !youngCapped) return;
      setFlagsFromString('--semi-space-growth-factor=2');
      youngCapped = false;
    },
  };
}
