export { LuwteSession, type SessionPhase } from './luwte-session.ts';
export { texts, textsFor, type Lang, type Texts } from './i18n.ts';
