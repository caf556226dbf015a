/**
 * `@luwte/engine/attendance`: the attendance ledger (stores, writer) and the pure derivations
 * over it (presence, billing, reports). Interval arithmetic is exported only as far as property
 * tests outside the engine use it (`union`, `total`, `splitAtLocalMidnight`).
 */
export { AttendanceLog } from './event-log.ts';
export {
	attendanceEventInputSchema,
	attendanceEventSchema,
	type AppendResult,
	type AttendanceEvent,
	type AttendanceEventInput,
	type JsonValue,
	type LedgerChange,
	type LedgerStore,
	type ReplayFilter,
} from './store.ts';
export { RedisLedgerStore, type RedisLedgerStoreOptions } from './redis-store.ts';
export { LedgerWriter, type LedgerWriterOptions } from './ledger-writer.ts';
export { LedgerOutbox, type OutboxOptions, type OutboxStats } from './outbox.ts';
export { union, total, splitAtLocalMidnight, type Interval } from './interval-math.ts';
export {
	BILLING_TIME_ZONE,
	localDate,
	localMonth,
	startOfLocalDay,
	nextLocalMidnight,
	monthsBetween,
	isoWeek,
	subtractMonths,
} from './local-time.ts';
export { parseLedgerEvent, canonicalOrder, type LedgerEvent, type LedgerEventOf, type ParsedLedgerEvent } from './ledger-events.ts';
export { sessionFacts, type SessionFacts } from './sessions.ts';
export {
	presenceIntervals,
	DEFAULT_GRACE_MS,
	type Presence,
	type Attendance,
	type PresenceOptions,
	type PresenceRole,
} from './intervals.ts';
export { liveActivities, qualifies, requiredMs, type LiveActivity } from './activities.ts';
export {
	contractsFileSchema,
	contractSchema,
	indicationsFileSchema,
	indicationSchema,
	thresholdSchema,
	roundingSchema,
	financerSchema,
	indicationOn,
	excludedModules,
	ALWAYS_EXCLUDED_MODULES,
	DEFAULT_THRESHOLD,
	type Contract,
	type ContractsFile,
	type Indication,
	type IndicationsFile,
	type Threshold,
	type Rounding,
} from './contracts.ts';
export {
	bill,
	billDerived,
	deriveBilling,
	roundMinutes,
	exceptionReasons,
	type BillingInput,
	type BillingDerivation,
	type OnDemandDay,
	type BillingResult,
	type BillingLine,
	type BillingException,
	type ExceptionReason,
	type UnitCode,
} from './billing.ts';
export { BillingSnapshots, monthsTouched, type PositionedLedger } from './billing-snapshot.ts';
export { billingToJson, billingToCsv, billingCsvColumns } from './billing-export.ts';
export {
	sessionAttendance,
	sessionAttendanceToCsv,
	sessionAttendanceCsvColumns,
	attendedParts,
	type SessionAttendance,
	type SessionAttendanceRow,
} from './session-attendance.ts';
export { ledgerExport, monthPeriod } from './ledger-export.ts';
export {
	activeAccounts,
	noShowsPerSession,
	attendancePerModule,
	ACTIVE_ACCOUNT_TARGET,
	type ActiveAccounts,
	type ActiveAccountsReport,
	type NoShows,
	type ModuleAttendance,
} from './reports.ts';
