export type SortDir = 'asc' | 'desc';

/** Sort by `value` (strings by locale, numbers and nulls numerically, null last), then by name. */
export function sortBy<T extends { name: string }>(rows: readonly T[], value: (row: T) => string | number | null, dir: SortDir): T[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = value(a), y = value(b);
    if (x === null || y === null) return (x === null ? 1 : 0) - (y === null ? 1 : 0) || a.name.localeCompare(b.name);
    const c = typeof x === 'string' ? x.localeCompare(String(y)) : x - Number(y);
    return sign * c || a.name.localeCompare(b.name);
  });
}

export interface Sort<K extends string> { key: K; dir: SortDir }

/** A click on column `key`: flips the direction of the current column, or starts a new one
 *  ascending (descending for the keys in `descFirst`: sizes, dates, counts). */
export function toggleSort<K extends string>(sort: Sort<K>, key: K, descFirst: readonly K[]): Sort<K> {
  if (sort.key === key) return { key, dir: sort.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: descFirst.includes(key) ? 'desc' : 'asc' };
}
