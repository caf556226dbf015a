/**
 * The subtitle language that fits the viewer best: for each preferred language in order, a
 * track of exactly that language (`nl-BE`), else one of the same base language (`nl` for
 * `nl-BE`, `nl-BE` for `nl`). Undefined when none fits.
 */
export function preferredSubtitles(langs: readonly string[], preferences: readonly string[]): string | undefined {
	const base = (tag: string) => tag.toLowerCase().split('-')[0]!;
	for (const wanted of preferences) {
		const w = wanted.trim().toLowerCase();
		if (w === '') continue;
		const exact = langs.find((l) => l.toLowerCase() === w);
		if (exact) return exact;
		const same = langs.find((l) => base(l) === base(w));
		if (same) return same;
	}
	return undefined;
}
