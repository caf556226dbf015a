import { describe, expectTypeOf, it } from 'vitest';
import type { LuwteDeviceProblemDetail, LuwteEventDetails, LuwteRecordingChangedDetail, LuwteSession } from '@luwte/sdk/elements';

// The element's events as TypeScript sees them (issue 15 part 2). What matters here is checked by
// the compiler (`tsc -p tsconfig.json` includes test/): a page's listener gets a typed `detail`
// from the name alone, through the `HTMLElementEventMap` (and `DocumentEventMap`) augmentation,
// and a wrong field does not compile. The listeners are only declared, never run: Node has no DOM.
describe('<luwte-session> event types', () => {
	it('types each event by its name on the element and on document', () => {
		const listen = (el: LuwteSession) => {
			el.addEventListener('luwte-participant-joined', (e) => {
				expectTypeOf(e).toEqualTypeOf<CustomEvent<{ participantId: string; role: 'host' | 'participant' | 'location' }>>();
				expectTypeOf(e.detail.participantId).toEqualTypeOf<string>();
				// @ts-expect-error a viewer is never announced, so the role cannot be one
				expectTypeOf(e.detail.role).toEqualTypeOf<'viewer'>();
				// @ts-expect-error no names: pseudonymous IDs only
				void e.detail.name;
			});
			el.addEventListener('luwte-participant-left', (e) => expectTypeOf(e.detail.participantId).toEqualTypeOf<string>());
			el.addEventListener('luwte-joined', (e) => expectTypeOf(e.detail.peers[0]!.participantId).toEqualTypeOf<string>());
			el.addEventListener('luwte-reconnecting', (e) => {
				expectTypeOf(e.detail.attempt).toEqualTypeOf<number>();
				expectTypeOf(e.detail.code).toEqualTypeOf<string | undefined>();
			});
			el.addEventListener('luwte-reconnected', (e) => expectTypeOf(e.detail.peers).toBeArray());
			el.addEventListener('luwte-recording-changed', (e) => {
				expectTypeOf(e.detail).toEqualTypeOf<LuwteRecordingChangedDetail>();
				expectTypeOf(e.detail.changed).toEqualTypeOf<('active' | 'you' | 'consent' | 'recorded' | 'consented')[]>();
			});
			el.addEventListener('luwte-audience-changed', (e) => expectTypeOf(e.detail.viewers).toEqualTypeOf<number>());
			el.addEventListener('luwte-device-problem', (e) => {
				expectTypeOf(e.detail).toEqualTypeOf<LuwteDeviceProblemDetail>();
				expectTypeOf(e.detail.device).toEqualTypeOf<'camera' | 'microphone'>();
				// @ts-expect-error not one of the problems
				const problem: typeof e.detail.problem = 'broken';
				void problem;
			});
			el.addEventListener('luwte-ended', (e) =>
				expectTypeOf(e.detail.reason).toEqualTypeOf<'ended' | 'idle' | 'overdue' | 'engine-closed'>(),
			);
			el.addEventListener('luwte-ending', (e) => expectTypeOf(e.detail.minutes).toEqualTypeOf<number>());
			// Bubbling and composed: a page may listen on document, typed the same.
			document.addEventListener('luwte-participant-joined', (e) => expectTypeOf(e.detail.participantId).toEqualTypeOf<string>());
			// An unknown luwte- name is a plain Event, without a detail.
			el.addEventListener('luwte-unknown', (e) => {
				// @ts-expect-error Event has no detail
				void e.detail;
			});
		};
		expectTypeOf(listen).toBeFunction();
		// Every name in the map is an element event with the same detail.
		expectTypeOf<HTMLElementEventMap['luwte-reconnected']>().toEqualTypeOf<CustomEvent<LuwteEventDetails['luwte-reconnected']>>();
		expectTypeOf<keyof LuwteEventDetails>().toExtend<keyof HTMLElementEventMap>();
	});
});
