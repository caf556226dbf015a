import { describe, expect, it } from 'vitest';
import { preferredSubtitles } from '../../packages/sdk/src/elements/library/subtitle-choice.ts';

describe('choosing the subtitles a viewer prefers', () => {
	const langs = ['nl', 'en-GB', 'pt-BR'];

	it('takes the first preference that fits: the exact tag, else the same base language', () => {
		expect(preferredSubtitles(langs, ['nl'])).toBe('nl');
		expect(preferredSubtitles(langs, ['nl-BE'])).toBe('nl');
		expect(preferredSubtitles(langs, ['en'])).toBe('en-GB');
		expect(preferredSubtitles(langs, ['EN-gb'])).toBe('en-GB');
		expect(preferredSubtitles(langs, ['de-DE', 'pt'])).toBe('pt-BR');
		expect(preferredSubtitles(['en-US', 'en-GB'], ['en-GB'])).toBe('en-GB');
	});

	it('finds nothing for languages the item lacks, or no preferences', () => {
		expect(preferredSubtitles(langs, ['de', 'fr'])).toBeUndefined();
		expect(preferredSubtitles(langs, ['', ' '])).toBeUndefined();
		expect(preferredSubtitles([], ['nl'])).toBeUndefined();
	});
});
