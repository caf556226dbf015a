import { defineConfig } from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
		// Media tests start mediasoup workers and WebRTC clients: one file at a time on 2 cores.
		fileParallelism: false,
		pool: 'forks',
		// Ceilings for a busy 2-core machine (a user's machine is never idle): tests wait for
		// conditions, so a generous ceiling costs nothing when things go well. Longer checks
		// (recordings, the 3-minute shaped-link run) set their own.
		testTimeout: 120_000,
		hookTimeout: 120_000,
		reporters: ['default'],
	},
});
