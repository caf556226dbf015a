/** The WebRTC fan-out bench's results (webrtc-fanout.ts) and their Markdown table. */
export const serverNames = ['luwte', 'mediasoup', 'janus'] as const;
export type ServerName = (typeof serverNames)[number];

export interface FanoutStep {
	subscribers: number;
	/** The server's processes over the window, percent of one core. */
	serverCpuPct: number;
	/** Above the publisher-only baseline, per subscriber. */
	perSubscriberPct: number;
	/** The media workers alone over the window (for Luwte: without its Node process). */
	workerCpuPct: number;
	kbpsPerSubscriber: number;
	lossPct: number;
	/** Subscribers that received nothing in the window. */
	silent: number;
	/** This process (publisher and subscribers) over the window, percent of one core. */
	clientCpuPct: number;
}

export interface FanoutServer {
	name: ServerName;
	version: string;
	baselinePct: number;
	/** The media workers alone, publisher only. */
	workerBaselinePct: number;
	steps: FanoutStep[];
	/** Least-squares slope of server CPU over subscribers (baseline at 0 included), % of a core each. */
	slopePct: number;
	/** 100 / slope: subscribers one core carries at this bitrate. */
	subscribersPerCore: number;
	/** The slope of the media workers alone. */
	workerSlopePct: number;
	/** Which round of the run (servers alternate A B C, C B A, …). */
	round?: number;
}

/** One server over all its runs (rounds): medians, and the slopes' range. */
export interface FanoutSummary {
	name: ServerName;
	version: string;
	runs: number;
	slopePct: number;
	slopeMinPct: number;
	slopeMaxPct: number;
	workerSlopePct: number;
	subscribersPerCore: number;
}

export interface FanoutReport {
	rounds: number;
	/** Per server, over its runs; the ratios below are of these medians. */
	summary: FanoutSummary[];
	date: string;
	cores: number;
	cpuModel: string;
	node: string;
	serverCpus: string;
	windowS: number;
	servers: FanoutServer[];
	/** Luwte's CPU per subscriber (slope) over bare mediasoup's. */
	luwteOverMediasoup?: number;
	/** The same, Luwte's mediasoup worker alone (without its Node process). */
	luwteWorkerOverMediasoup?: number;
	/** Subscribers per core, Luwte over Janus. */
	luwteSubscribersPerCoreOverJanus?: number;
}

export function fanoutTable(r: FanoutReport): string {
	const lines = [
		`| server | subscribers | server % of a core | % per subscriber above baseline | kbit/s per subscriber | loss % | silent | clients % of a core |`,
		'|---|---|---|---|---|---|---|---|',
	];
	for (const s of r.servers) {
		lines.push(`| ${s.version}${s.round ? ` #${s.round}` : ''} | 0 (publisher only) | ${s.baselinePct.toFixed(1)} | | | | | |`);
		for (const st of s.steps) {
			lines.push(
				`| ${s.version}${s.round ? ` #${s.round}` : ''} | ${st.subscribers} | ${st.serverCpuPct.toFixed(1)} | ${st.perSubscriberPct.toFixed(2)} | ${st.kbpsPerSubscriber.toFixed(0)} | ${st.lossPct.toFixed(2)} | ${st.silent} | ${st.clientCpuPct.toFixed(0)} |`,
			);
		}
	}
	lines.push(
		'',
		`| server | runs | slope, % of a core per subscriber: median (range) | subscribers per core | media worker alone: slope |`,
		'|---|---|---|---|---|',
	);
	for (const s of r.summary)
		lines.push(
			`| ${s.version} | ${s.runs} | ${s.slopePct.toFixed(3)} (${s.slopeMinPct.toFixed(3)}–${s.slopeMaxPct.toFixed(3)}) | ${s.subscribersPerCore.toFixed(0)} | ${s.workerSlopePct.toFixed(3)} |`,
		);
	if (r.luwteOverMediasoup !== undefined)
		lines.push(
			'',
			`Luwte / bare mediasoup, CPU per subscriber (medians): **${r.luwteOverMediasoup.toFixed(2)}** (Luwte's mediasoup worker alone: ${r.luwteWorkerOverMediasoup?.toFixed(2) ?? '–'})`,
		);
	if (r.luwteSubscribersPerCoreOverJanus !== undefined)
		lines.push('', `Luwte / Janus, subscribers per core (medians): **${r.luwteSubscribersPerCoreOverJanus.toFixed(2)}**`);
	return lines.join('\n');
}
