export { LuwteSession, type SessionPhase } from './luwte-session.ts';
export type { VoiceLevellingMode, VoiceOutputLevel } from './session/voice-levelling.ts';
export { startText, texts, textsFor, type Lang, type Texts } from './i18n.ts';
export { LuwteLibrary, type LibraryView } from './luwte-library.ts';
export { libraryTexts, libraryTextsFor, type LibraryTexts } from './library-i18n.ts';
export type {
	LuwteAudienceChangedDetail,
	LuwteDeviceProblem,
	LuwteDeviceProblemDetail,
	LuwteEndedDetail,
	LuwteEndingDetail,
	LuwteEndReason,
	LuwteErrorDetail,
	LuwteEventDetails,
	LuwteEventMap,
	LuwteJoinedDetail,
	LuwteLeftDetail,
	LuwteNotStartedDetail,
	LuwteParticipantDetail,
	LuwtePeer,
	LuwteReconnectedDetail,
	LuwteReconnectingDetail,
	LuwteRecordingChangedDetail,
	LuwteRecordingField,
} from './events.ts';
