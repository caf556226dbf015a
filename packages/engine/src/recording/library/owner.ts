/** A process writing into the library folder, as written into its lock and staging files. */
export interface Owner {
	/** The host's name (hosts sharing a library folder need distinct names). */
	host: string;
	pid: number;
}

/**
 * Whether what `owner` left behind may be taken over at once: a process of this same host that
 * has ended (a crash, then a restart). Another host's processes cannot be checked from here;
 * what they leave waits for its expiry.
 */
export function ownerGone(owner: Owner, self: Owner): boolean {
	return owner.host === self.host && owner.pid !== self.pid && !processAlive(owner.pid);
}

/** Signal 0 only checks that a process exists; EPERM means it exists under another user. */
function processAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (err) {
		return (err as NodeJS.ErrnoException).code === 'EPERM';
	}
}
