import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (never a downloaded browser); CHROMIUM_PATH overrides. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
	return existsSync(chromiumPath);
}

/**
 * Headless Chromium with a fake camera (test pattern) and microphone (beep), media on loopback.
 * `executablePath`: e.g. a wrapper that starts it inside a network namespace; `extraArgs` are added.
 */
export function launchChromium(opts: { executablePath?: string; extraArgs?: string[] } = {}): Promise<Browser> {
	return chromium.launch({
		executablePath: opts.executablePath ?? chromiumPath,
		headless: true,
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--use-fake-device-for-media-stream',
			'--use-fake-ui-for-media-stream',
			'--allow-loopback-in-peer-connection',
			'--autoplay-policy=no-user-gesture-required',
			...(opts.extraArgs ?? []),
		],
	});
}

/** Serves one HTML page from its own origin (a care provider's website, in the tests). */
export async function servePage(html: string | (() => string)): Promise<{ url: string; close(): Promise<void> }> {
	const server: Server = createServer((_req, res) => {
		res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
		res.end(typeof html === 'function' ? html() : html);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/`,
		close: () => new Promise((resolve) => server.close(() => resolve())),
	};
}
