export { postprocessRecording, ITEM_FILE, ITEM_JSON, THUMBNAIL_FILE, type PostprocessOptions } from './pipeline.ts';
export { postprocessItemSchema, type PostprocessResult } from './item.ts';
export { postprocessPhases, type PostprocessPhase, type PostprocessProgress } from './progress.ts';
export {
	FlashDetector,
	detectFlashes,
	relativeLuminance,
	srgbToLinear,
	type FlashDetectorOptions,
	type FlashAnalysis,
	type FlashAnalysisWindow,
} from './flash.ts';
export { checkFlashes, type FlashCheckOptions } from './flash-check.ts';
export {
	planLayout,
	fitWithin,
	type CompositionPlan,
	type LayoutInterval,
	type LayoutKind,
	type Rect,
	type VideoTrack,
	type TileRole,
} from './layout.ts';
