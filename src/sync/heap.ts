// Heap upkeep for a sync process, set up by the command (run.ts) when a pass starts, never on
// import: a full garbage collection between pages once the heap grew. What a pass keeps between
// pages is small, but the objects of each inlet post live while it waits on the network, survive
// the young-generation collections and are promoted: left alone, old space grows to ~75 MB for
// 2,500 records (140 MB RSS). A collection between pages (a few ms for a small heap) keeps the RSS
// of a long `sync --every` flat. `--expose-gc` only makes `gc` reachable, from a new context.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Heap growth since the last collection that calls for the next one (at least). */
const COLLECT_AFTER_BYTES = 8 * 1024 * 1024;

let gc: (() => void) | undefined;

/**
 * Returns a check that runs a full collection once the heap grew by COLLECT_AFTER_BYTES, or a
 * quarter of what the last one left if that is more: the RSS of a sync process (a small heap)
 * stays flat, and a process whose heap is large for other reasons (a test hosting the emulator's
 * 100,000 records) does not pay a full collection of it every few hundred records.
 */
export function heapUpkeep(): () => void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  const collect = gc;
  let heapAfterCollection = 0;
  return () => {
    const grown = getHeapStatistics().used_heap_size - heapAfterCollection;
    if (grown < Math.max(COLLECT_AFTER_BYTES, heapAfterCollection / 4)) return;
    collect();
    heapAfterCollection = getHeapStatistics().used_heap_size;
  };
}
