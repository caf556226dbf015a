/** Texts of <luwte-library>. Dutch first; short, plain sentences (many users have aphasia). */
export const libraryTexts = {
	nl: {
		library: 'Bibliotheek',
		chooseModule: 'Kies een onderwerp.',
		modules: {
			communicatie: 'Communicatie',
			'eigen-regie': 'Eigen regie',
			'fit-en-vitaal': 'Fit en Vitaal',
			'vaardig-en-creatief': 'Vaardig en creatief',
			'talent-en-ambitie': 'Talent en ambitie',
		},
		videos: (n: number) => (n === 1 ? '1 video' : `${n} video's`),
		minutes: (n: number) => (n === 1 ? '1 minuut' : `${n} minuten`),
		noVideos: "Hier staan nog geen video's.",
		back: 'Terug',
		watch: 'Bekijken',
		play: 'Afspelen',
		pause: 'Pauze',
		rewind: '10 seconden terug',
		forward: '10 seconden vooruit',
		softer: 'Zachter',
		louder: 'Harder',
		volume: 'Volume',
		resumeFrom: (time: string) => `Verder kijken vanaf ${time}`,
		restart: 'Opnieuw beginnen',
		controls: 'Bediening',
		of: 'van',
		loading: 'Even geduld…',
		finished: 'De video is afgelopen.',
		flashWarning: 'Let op: in deze video zitten lichtflitsen.',
		tokenInvalid: 'Je toegang tot de bibliotheek werkt niet (meer). Laad de pagina opnieuw.',
		originNotAllowed: 'Deze website mag de bibliotheek niet tonen. Neem contact op met je zorgorganisatie.',
		notFound: 'Deze video is er niet meer.',
		failed: 'Het lukt nu niet om de bibliotheek te openen. Probeer het later nog eens.',
		playFailed: 'De video speelt nu niet af. Probeer het later nog eens.',
		subtitles: 'Ondertiteling',
		subtitlesOff: 'Uit',
	},
	en: {
		library: 'Library',
		chooseModule: 'Choose a subject.',
		modules: {
			communicatie: 'Communication',
			'eigen-regie': 'Self-direction',
			'fit-en-vitaal': 'Fit and vital',
			'vaardig-en-creatief': 'Skilled and creative',
			'talent-en-ambitie': 'Talent and ambition',
		},
		videos: (n: number) => (n === 1 ? '1 video' : `${n} videos`),
		minutes: (n: number) => (n === 1 ? '1 minute' : `${n} minutes`),
		noVideos: 'There are no videos here yet.',
		back: 'Back',
		watch: 'Watch',
		play: 'Play',
		pause: 'Pause',
		rewind: '10 seconds back',
		forward: '10 seconds forward',
		softer: 'Softer',
		louder: 'Louder',
		volume: 'Volume',
		resumeFrom: (time: string) => `Continue from ${time}`,
		restart: 'Start from the beginning',
		controls: 'Controls',
		of: 'of',
		loading: 'One moment…',
		finished: 'The video has ended.',
		flashWarning: 'Please note: this video contains flashing lights.',
		tokenInvalid: 'Your access to the library does not work (any more). Please reload the page.',
		originNotAllowed: 'This website may not show the library. Please contact your care organisation.',
		notFound: 'This video is no longer available.',
		failed: 'The library cannot be opened right now. Please try again later.',
		playFailed: 'The video does not play right now. Please try again later.',
		subtitles: 'Subtitles',
		subtitlesOff: 'Off',
	},
} as const;

export type LibraryTexts = (typeof libraryTexts)[keyof typeof libraryTexts];

export function libraryTextsFor(lang: string | null | undefined): LibraryTexts {
	return lang?.toLowerCase().startsWith('en') ? libraryTexts.en : libraryTexts.nl;
}

/** `192` → `3:12`, `3725` → `1:02:05`. */
export function clockTime(seconds: number): string {
	const s = Math.max(0, Math.floor(seconds));
	const h = Math.floor(s / 3600);
	const m = Math.floor((s % 3600) / 60);
	const ss = String(s % 60).padStart(2, '0');
	return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
