import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';

/** True when both TCP and UDP can bind `port` on 127.0.0.1 right now. */
async function portFree(port: number): Promise<boolean> {
	const tcp = await new Promise<boolean>((resolve) => {
		const s = createServer();
		s.once('error', () => resolve(false));
		s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
	});
	if (!tcp) return false;
	return new Promise<boolean>((resolve) => {
		const u = createSocket('udp4');
		u.once('error', () => resolve(false));
		u.bind(port, '127.0.0.1', () => u.close(() => resolve(true)));
	});
}

let cursor = 42000 + (process.pid % 200) * 40;

/** A range of `count` consecutive ports free on loopback (TCP and UDP), for WebRtcServers. */
export async function freePortRange(count: number): Promise<{ min: number; max: number }> {
	for (let attempt = 0; attempt < 200; attempt++) {
		const min = cursor;
		cursor += count + 2;
		if (cursor > 60000) cursor = 42000;
		let ok = true;
		for (let p = min; p < min + count && ok; p++) ok = await portFree(p);
		if (ok) return { min, max: min + count - 1 };
	}
	throw new Error('no free port range found');
}
