import webvttParser from 'webvtt-parser';
import { z } from 'zod';
import { EngineError } from '../../errors.ts';

/**
 * WebVTT subtitles of a library item, one file per language. Staff upload them; `<luwte-library>`
 * shows them. A file is checked here before anything is stored: UTF-8 text, the `WEBVTT`
 * signature, cue timings that parse, in order and within the item. The parser is the W3C
 * validator's (webvtt-parser); what browsers shrug off (cue text markup, settings, a header
 * line) is tolerated, what would leave a cue out or at the wrong moment is refused.
 */

/** The largest subtitle file, in UTF-8 bytes (a two-hour film's subtitles are about 150 KB). */
export const MAX_SUBTITLE_BYTES = 1024 * 1024;
export const MAX_SUBTITLE_CUES = 20_000;
/** Languages per item. */
export const MAX_SUBTITLE_TRACKS = 20;
/** A last cue may end this much after the item's recorded length (rounding of the length, a cue that lingers). */
export const SUBTITLE_END_TOLERANCE_SECONDS = 1;

/**
 * A BCP-47 language tag (`nl`, `en`, `nl-BE`), stored and compared in its canonical form. Letters,
 * digits and hyphens only, so it can name a file and a link.
 */
export const subtitleLangSchema = z
	.string()
	.max(35)
	.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'a BCP-47 language tag such as nl, en or nl-BE')
	.transform((tag, ctx) => {
		try {
			return Intl.getCanonicalLocales(tag)[0]!;
		} catch {
			ctx.addIssue({ code: 'custom', message: `${tag} is not a valid BCP-47 language tag` });
			return z.NEVER;
		}
	});

const label = z.string().trim().min(1).max(60);

/** A stored file: `items/<id>/subtitles.<lang>.<random>.vtt` (a new name per upload, so a replacement is one atomic metadata write). */
export const subtitleFilePath = z.string().regex(/^items\/li_[A-Za-z0-9_-]{22}\/subtitles\.[A-Za-z0-9-]{2,35}\.[a-f0-9]{12}\.vtt$/);

/** One language's subtitles as item.json keeps them. */
export const subtitleTrackSchema = z
	.object({
		lang: z.string().min(2).max(35),
		/** What the viewer's language menu says (default: the language's own name, e.g. Nederlands). */
		label,
		file: subtitleFilePath,
		cues: z.number().int().min(1),
		bytes: z.number().int().min(1),
		updatedAt: z.number().int().min(0),
	})
	.strict();
export type SubtitleTrack = z.output<typeof subtitleTrackSchema>;

export const setSubtitlesSchema = z
	.object({
		label: label.optional(),
		/** The file: text, or its bytes (checked to be UTF-8). */
		vtt: z.union([z.string(), z.instanceof(Uint8Array)]),
	})
	.strict();
export type SetSubtitlesInput = z.input<typeof setSubtitlesSchema>;

/** One reason a file was refused, with its line (1-based) when it has one. */
export interface SubtitleProblem {
	line?: number;
	message: string;
}

/** What a checked file holds. */
export interface CheckedSubtitles {
	text: string;
	cues: number;
	bytes: number;
}

/**
 * Parser messages that mean a cue is lost or misplaced (a timing that does not parse, cues out of
 * order, an empty or inverted cue, a missing signature). Everything else the parser reports
 * (markup, escapes, settings, header lines) a browser shows anyway, so it is tolerated.
 */
const FATAL = [
	'No valid signature',
	'No timestamp found',
	'Timestamp must start with a character',
	'No time unit separator',
	'Must be exactly two digits',
	'No seconds found',
	'No decimal separator',
	'Milliseconds must be given',
	'You cannot have more than 59',
	'Start timestamp is not greater than or equal',
	'No valid timestamp separator',
	'End timestamp is not greater',
	'Cue identifier needs to be followed by timestamp',
	'Blank line missing before cue',
	'Cannot have timestamp in a comment',
];

/** How many problems a refusal lists (the first ones, in file order). */
const SHOWN_PROBLEMS = 10;

/** The file as text: bytes must be UTF-8; text must not hold what a decoder puts in for bytes that were not. */
function asText(input: string | Uint8Array): string {
	if (typeof input !== 'string') {
		if (input.byteLength > MAX_SUBTITLE_BYTES) throw tooLarge(input.byteLength);
		try {
			return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input);
		} catch {
			throw refused([{ message: 'the file is not UTF-8 text (save it as UTF-8)' }]);
		}
	}
	// A lone surrogate cannot be written as UTF-8; U+FFFD is what a decoder put in for bytes that were not UTF-8.
	if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\uFFFD/.test(input)) {
		throw refused([{ message: 'the file is not UTF-8 text (save it as UTF-8)' }]);
	}
	return input;
}

/**
 * Checks a WebVTT file against an item `durationSeconds` long. Returns the text as given;
 * throws `invalid_argument` with `details.problems` (line and message) when it is refused.
 */
export function checkSubtitles(input: string | Uint8Array, durationSeconds: number): CheckedSubtitles {
	const text = asText(input);
	const bytes = Buffer.byteLength(text, 'utf8');
	if (bytes > MAX_SUBTITLE_BYTES) throw tooLarge(bytes);
	if (bytes === 0) throw refused([{ message: 'the file is empty' }]);
	if (text.includes('\0')) throw refused([{ message: 'the file holds a NUL character: it is not a text file' }]);
	// The parser is tolerant of a missing signature; the format is not.
	if (!/^\uFEFF?WEBVTT(?:[ \t][^\r\n]*)?(?:\r\n|\r|\n|$)/.test(text)) {
		throw refused([{ line: 1, message: 'a WebVTT file starts with the line WEBVTT' }]);
	}
	const parsed = new webvttParser.WebVTTParser().parse(text);
	const problems: SubtitleProblem[] = parsed.errors
		.filter((e) => FATAL.some((f) => e.message.startsWith(f)))
		.map((e) => ({ line: e.line, message: e.message }));
	const end = durationSeconds + SUBTITLE_END_TOLERANCE_SECONDS;
	for (const cue of parsed.cues) {
		if (cue.startTime >= durationSeconds || cue.endTime > end) {
			problems.push({
				message: `the cue ${timeOf(cue.startTime)} --> ${timeOf(cue.endTime)} is outside the video, which is ${timeOf(durationSeconds)} long`,
			});
		}
	}
	if (problems.length > 0)
		throw refused(problems.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER)));
	if (parsed.cues.length === 0) throw refused([{ message: 'the file has no cues' }]);
	if (parsed.cues.length > MAX_SUBTITLE_CUES) throw refused([{ message: `more than ${MAX_SUBTITLE_CUES} cues` }]);
	return { text, cues: parsed.cues.length, bytes };
}

/** The language's own name, capitalised (`nl` → Nederlands, `en` → English): the default label. */
export function defaultSubtitleLabel(lang: string): string {
	const name = new Intl.DisplayNames([lang], { type: 'language' }).of(lang) ?? lang;
	return name.charAt(0).toLocaleUpperCase(lang) + name.slice(1);
}

function timeOf(seconds: number): string {
	const ms = Math.round(seconds * 1000);
	const h = Math.floor(ms / 3_600_000);
	const m = Math.floor((ms % 3_600_000) / 60_000);
	const s = Math.floor((ms % 60_000) / 1000);
	const pad = (n: number, w = 2) => String(n).padStart(w, '0');
	return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

function tooLarge(bytes: number): EngineError {
	return refused([{ message: `the file is ${bytes} bytes; subtitle files are limited to ${MAX_SUBTITLE_BYTES} bytes` }]);
}

function refused(problems: SubtitleProblem[]): EngineError {
	const first = problems[0]!;
	const where = (p: SubtitleProblem) => (p.line !== undefined ? `line ${p.line}: ` : '');
	const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
	return new EngineError('invalid_argument', `invalid subtitles: ${where(first)}${first.message}${more}`, {
		details: {
			field: 'vtt',
			fields: [{ field: 'vtt', message: `${where(first)}${first.message}` }],
			problems: problems.slice(0, SHOWN_PROBLEMS),
		},
	});
}
