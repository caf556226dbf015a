export { LuwteSession, type SessionPhase } from './luwte-session.ts';
export { texts, textsFor, type Lang, type Texts } from './i18n.ts';
export { LuwteLibrary, type LibraryView } from './luwte-library.ts';
export { libraryTexts, libraryTextsFor, type LibraryTexts } from './library-i18n.ts';
export type { LuwteErrorDetail, LuwteEventDetails, LuwteJoinedDetail, LuwteLeftDetail } from './events.ts';
