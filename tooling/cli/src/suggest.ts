/**
 * The candidate closest to `word` (case-insensitive), if within 2 edits and fewer edits than `word` has
 * letters, so that `-x` does not suggest `--io`. For "did you mean".
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  return candidates
    .map((c) => ({ c, d: distance(word.toLowerCase(), c.toLowerCase()) }))
    .filter(({ d }) => d <= 2 && d < word.length)
    .sort((a, b) => a.d - b.d)[0]?.c;
}

/** Levenshtein distance between two strings. */
export function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
