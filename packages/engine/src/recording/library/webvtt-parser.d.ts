// The part of webvtt-parser (the W3C validator's parser, CommonJS, no types of its own) the library uses.
declare module 'webvtt-parser' {
	export interface ParsedCue {
		id: string;
		startTime: number;
		endTime: number;
		text: string;
	}
	export interface ParseError {
		message: string;
		line: number;
		col?: number;
	}
	export class WebVTTParser {
		parse(input: string, mode?: 'metadata' | 'chapters'): { cues: ParsedCue[]; errors: ParseError[]; styles: string[] };
	}
	const parser: { WebVTTParser: typeof WebVTTParser };
	export default parser;
}
