import { page } from './html.ts';

// Charts are HTML labels with SVG bars drawn in % and em, not one SVG with a viewBox: the text then
// grows and wraps with the browser's zoom like the rest of the page instead of shrinking with the chart.
const style = `
	.hint { margin: 0.25rem 0 0; font-size: 1rem; }
	.error { color: #8b0000; font-weight: 600; min-height: 1.5em; }
	.status { min-height: 1.5em; font-weight: 600; }
	fieldset { border: 2px solid #14191f; border-radius: 12px; padding: 0 1rem 1rem; margin: 0 0 1rem; }
	legend { font-weight: 700; padding: 0 0.5rem; }
	.fields { display: flex; flex-wrap: wrap; gap: 0 1.5rem; }
	.actions { display: flex; flex-wrap: wrap; gap: 1rem; margin-top: 1rem; }
	button.secondary { background: #fff; color: #14191f; border: 2px solid #14191f; }
	section { margin: 2rem 0; }
	h2 { font-size: 1.5rem; margin: 0 0 0.5rem; }
	.box { min-height: 12rem; }
	.box[aria-busy="true"] { opacity: 0.6; }
	.chart { font-size: 1rem; }
	.chart .label { margin-top: 0.6rem; }
	.chart .strong { font-weight: 700; }
	svg.strip { display: block; width: 100%; height: 1.6em; overflow: visible; margin-top: 0.2rem; }
	svg.strip text { fill: #14191f; }
	svg.axis { height: 1.5em; }
	.module { margin-bottom: 1rem; }
	.measures { display: grid; grid-template-columns: fit-content(50%) 1fr; gap: 0.3rem 0.75rem; align-items: center; }
	.measures svg.strip { margin: 0; }
	table { border-collapse: collapse; margin: 0.5rem 0; font-size: 1rem; }
	caption { text-align: left; font-weight: 600; padding-bottom: 0.25rem; }
	th, td { border: 1px solid #14191f; padding: 0.4rem 0.6rem; text-align: left; vertical-align: top; }
	td.num, th.num { text-align: right; }
	details { margin: 0.5rem 0; }
	summary { cursor: pointer; min-height: 44px; display: flex; align-items: center; font-weight: 600; color: #0b4f71; }
	summary:focus-visible { outline: 4px solid #b8860b; outline-offset: 3px; }
	.scroll { overflow-x: auto; }
	ul.ids { margin: 0.25rem 0 0; padding-left: 1.2rem; }
`;

const body = `
<h1>Overzicht aanwezigheid</h1>
<noscript><p class="error">Deze pagina werkt alleen met JavaScript aan.</p></noscript>
<section id="login-section" aria-labelledby="login-title" hidden>
	<h2 id="login-title">Inloggen</h2>
	<form id="login">
		<label for="key">API-sleutel van uw organisatie</label>
		<input id="key" name="key" type="password" autocomplete="off" required spellcheck="false" aria-describedby="key-hint login-error">
		<p id="key-hint" class="hint">De sleutel blijft alleen in dit tabblad bewaard, tot u uitlogt of het tabblad sluit.</p>
		<div class="actions"><button type="submit">Inloggen</button></div>
	</form>
	<p id="login-error" class="error" role="alert"></p>
</section>
<div id="dashboard" hidden>
	<form id="period">
		<fieldset>
			<legend>Periode</legend>
			<div class="fields">
				<div><label for="from">Van maand</label><input id="from" name="from" type="month" required pattern="[0-9]{4}-[0-9]{2}" placeholder="JJJJ-MM"></div>
				<div><label for="to">Tot en met maand</label><input id="to" name="to" type="month" required pattern="[0-9]{4}-[0-9]{2}" placeholder="JJJJ-MM"></div>
				<div><label for="date">Peildatum actieve accounts</label><input id="date" name="date" type="date" required></div>
			</div>
			<div class="actions">
				<button type="submit">Toon overzicht</button>
				<button type="button" id="logout" class="secondary">Uitloggen</button>
			</div>
		</fieldset>
	</form>
	<p id="status" class="status" role="status" aria-live="polite"></p>
	<section aria-labelledby="active-title">
		<h2 id="active-title">Actieve accounts per team</h2>
		<p class="hint">Actief: ingelogd in de twee maanden vóór de peildatum. De streep is het doel.</p>
		<div id="active" class="box"></div>
	</section>
	<section aria-labelledby="modules-title">
		<h2 id="modules-title">Aanwezigheid per module</h2>
		<div id="modules" class="box"></div>
	</section>
	<section aria-labelledby="noshows-title">
		<h2 id="noshows-title">Niet gekomen per activiteit</h2>
		<div id="noshows" class="box"></div>
	</section>
	<section aria-labelledby="billing-title">
		<h2 id="billing-title">Declaratie</h2>
		<div class="actions"><button type="button" id="csv">Download CSV</button></div>
		<div id="billing" class="box"></div>
	</section>
</div>`;

// The browser side. The key lives in sessionStorage and goes only into the Authorization header:
// never into a URL (addresses end up in logs, history and referrers).
const script = `
const KEY = 'luwte-dashboard-key';
const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const moduleNames = { communicatie: 'Communicatie', 'eigen-regie': 'Eigen regie', 'fit-en-vitaal': 'Fit en Vitaal', 'vaardig-en-creatief': 'Vaardig en creatief', 'talent-en-ambitie': 'Talent en ambitie' };
const reasonNames = {
	no_indication: 'Geen geldige indicatie',
	not_billable_contract: 'Financier betaalt niet voor digitale activiteiten',
	not_billable_module: 'Module niet declarabel',
	below_threshold: 'Korter aanwezig dan de drempel',
	unpaired_activity: 'Oneven activiteit (geen dagdeel)',
	on_demand_not_billed: 'Teruggekeken (niet gedeclareerd)',
};
const moduleName = (m) => (m === null ? 'Zonder module' : moduleNames[m] ?? m);
const pct = (s) => s.replace('.', ',') + ' %';
const euro = new Intl.NumberFormat('nl-NL', { style: 'currency', currency: 'EUR' });
const when = new Intl.DateTimeFormat('nl-NL', { timeZone: 'Europe/Amsterdam', weekday: 'short', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' });
const monthName = (ym) => new Intl.DateTimeFormat('nl-NL', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(ym + '-15T12:00:00Z'));
const dayName = (d) => new Intl.DateTimeFormat('nl-NL', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(d + 'T12:00:00Z'));

function el(name, attrs = {}, text) {
	const e = document.createElement(name);
	for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
	if (text !== undefined) e.textContent = text;
	return e;
}
function svgEl(name, attrs = {}, text) {
	const e = document.createElementNS(SVG, name);
	for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
	if (text !== undefined) e.textContent = text;
	return e;
}
/** A chart: one image for assistive technology, named with all its numbers. */
function chart(label) {
	return el('div', { class: 'chart', role: 'img', 'aria-label': label });
}
/** One bar's graphic: a strip as wide as the chart, drawn in %, so it scales with the page. */
function strip(parts) {
	const svg = svgEl('svg', { class: 'strip', 'aria-hidden': 'true', focusable: 'false' });
	svg.append(...parts);
	return svg;
}
/** A table with the chart's numbers, folded away: the same data for screen readers and for copying. */
function table(caption, head, rows, numeric) {
	const t = el('table');
	t.append(el('caption', {}, caption));
	const tr = el('tr');
	head.forEach((h, i) => tr.append(el('th', numeric[i] ? { scope: 'col', class: 'num' } : { scope: 'col' }, h)));
	t.appendChild(el('thead')).append(tr);
	const tb = t.appendChild(el('tbody'));
	for (const r of rows) {
		const row = tb.appendChild(el('tr'));
		r.forEach((c, i) => {
			const cell = el(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : numeric[i] ? { class: 'num' } : {});
			if (c instanceof Node) cell.append(c);
			else cell.textContent = String(c);
			row.append(cell);
		});
	}
	const wrap = el('div', { class: 'scroll' });
	wrap.append(t);
	return wrap;
}
function folded(summary, content) {
	const d = el('details');
	d.append(el('summary', {}, summary), content);
	return d;
}

function drawActive(r) {
	const target = Number(r.targetPercent);
	const rows = [{ label: 'Alle teams', strong: true, ...r.overall }, ...r.teams.map((t) => ({ label: t.team ?? 'Zonder team', ...t }))];
	const text = (x) => x.label + ': ' + pct(x.percent) + ' actief (' + x.active + ' van ' + x.clients + ' cliënten)' + (x.targetMet ? '' : ', onder het doel');
	const c = chart('Actieve accounts op ' + dayName(r.date) + ', doel ' + pct(r.targetPercent) + '. ' + rows.map(text).join('. ') + '.');
	const axis = strip([svgEl('text', { x: target + '%', dx: 4, y: '1.1em', class: 'strong' }, 'Doel ' + pct(r.targetPercent))]);
	axis.classList.add('axis');
	c.append(axis);
	for (const x of rows) {
		// The label is HTML above its bar: it wraps at any zoom instead of running out of the chart.
		c.append(el('div', { class: x.strong ? 'label strong' : 'label' }, text(x)));
		const parts = [
			svgEl('rect', { x: 0, y: 0, width: '100%', height: '100%', fill: '#fff', stroke: '#14191f', 'stroke-width': 2 }),
			svgEl('rect', { x: 0, y: 0, width: Math.max(0, Math.min(100, Number(x.percent))) + '%', height: '100%', fill: '#0b4f71', class: 'bar', 'data-team': x.label }),
		];
		// The target as a dark dashed line with a light edge, visible over a bar and over the empty track.
		for (const [stroke, w, dash] of [['#fff', 7, 'none'], ['#14191f', 3, '6 4']]) {
			parts.push(svgEl('line', { x1: target + '%', x2: target + '%', y1: '-15%', y2: '115%', stroke, 'stroke-width': w, 'stroke-dasharray': dash, class: 'target' }));
		}
		c.append(strip(parts));
	}
	$('active').replaceChildren(
		c,
		folded('Toon de cijfers als tabel', table('Actieve accounts op ' + dayName(r.date) + ' (actief sinds ' + dayName(r.since) + ')', ['Team', 'Cliënten', 'Actief', 'Percentage', 'Doel ' + pct(r.targetPercent) + ' gehaald'],
			rows.map((x) => [x.label, x.clients, x.active, pct(x.percent), x.targetMet ? 'ja' : 'nee']), [false, true, true, true, false])),
	);
}

function drawModules(r, period) {
	const box = $('modules');
	if (r.modules.length === 0) { box.replaceChildren(el('p', {}, 'Geen activiteiten in ' + period + '.')); return; }
	const measures = [
		['sessions', '#0b4f71', (n) => n + (n === 1 ? ' activiteit' : ' activiteiten')],
		['attendances', '#1d5e2a', (n) => n + (n === 1 ? ' aanwezigheid' : ' aanwezigheden')],
		['minutes', '#6b3e00', (n) => n + ' minuten'],
	];
	// Each measure has its own scale (minutes dwarf counts): bars compare modules, not measures.
	const max = Object.fromEntries(measures.map(([k]) => [k, Math.max(1, ...r.modules.map((m) => m[k]))]));
	const c = chart('Aanwezigheid per module in ' + period + '. ' + r.modules.map((m) => moduleName(m.module) + ': ' + measures.map(([k, , f]) => f(m[k])).join(', ')).join('. ') + '.');
	for (const m of r.modules) {
		const block = el('div', { class: 'module' });
		block.append(el('div', { class: 'label strong' }, moduleName(m.module)));
		const grid = el('div', { class: 'measures' });
		for (const [k, fill, f] of measures) {
			grid.append(el('span', {}, f(m[k])), strip([svgEl('rect', { x: 0, y: 0, width: (m[k] / max[k]) * 100 + '%', height: '100%', fill, class: 'bar' })]));
		}
		block.append(grid);
		c.append(block);
	}
	box.replaceChildren(c, folded('Toon de cijfers als tabel', table('Aanwezigheid per module in ' + period, ['Module', 'Activiteiten', 'Aanwezigheden', 'Minuten'],
		r.modules.map((m) => [moduleName(m.module), m.sessions, m.attendances, m.minutes]), [false, true, true, true])));
}

function drawNoShows(r, period) {
	const box = $('noshows');
	if (r.sessions.length === 0) { box.replaceChildren(el('p', {}, 'Geen geplande activiteiten in ' + period + '.')); return; }
	// Pseudonyms only on request: most readers need the counts, not who.
	const who = (s) => {
		if (s.noShows.length === 0) return '—';
		const list = el('ul', { class: 'ids' });
		for (const id of s.noShows) list.append(el('li', {}, id));
		return folded('Toon pseudoniemen', list);
	};
	box.replaceChildren(table('Niet gekomen per activiteit in ' + period, ['Datum', 'Module', 'Uitgenodigd', 'Niet gekomen', 'Wie'],
		r.sessions.map((s) => [when.format(new Date(s.startsAt)), moduleName(s.module), s.invited, s.noShows.length, who(s)]), [false, false, true, true, false]));
}

function drawBilling(r, period) {
	const total = r.lines.reduce((a, l) => a + l.amountCents, 0);
	const activities = r.lines.reduce((a, l) => a + l.activities, 0);
	const byReason = new Map();
	for (const x of r.exceptions) byReason.set(x.reason, (byReason.get(x.reason) ?? 0) + 1);
	const p = el('p', {}, r.lines.length + (r.lines.length === 1 ? ' declaratieregel' : ' declaratieregels') + ' over ' + period + ', ' + activities + ' activiteiten, samen ' + euro.format(total / 100) + '. ' +
		r.exceptions.length + (r.exceptions.length === 1 ? ' uitzondering' : ' uitzonderingen') + ' (niet gedeclareerd, om na te kijken).');
	p.id = 'billing-summary';
	const parts = [p];
	if (byReason.size > 0) {
		parts.push(table('Uitzonderingen per reden', ['Reden', 'Aantal'], [...byReason].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, n]) => [reasonNames[k] ?? k, n]), [false, true]));
	}
	$('billing').replaceChildren(...parts);
}

// Failures carry the API's error code: 'unauthorized' sends the user back to the key form.
async function api(path) {
	const res = await fetch(path, { headers: { authorization: 'Bearer ' + sessionStorage.getItem(KEY) }, cache: 'no-store', credentials: 'omit' });
	if (!res.ok) {
		const body = await res.json().catch(() => null);
		const code = res.status === 401 ? 'unauthorized' : (body?.error?.code ?? 'http_error');
		throw Object.assign(new Error(body?.error?.message ?? 'HTTP ' + res.status), { code });
	}
	return res;
}
const period = () => ({ from: $('from').value, to: $('to').value, date: $('date').value });
const label = (p) => (p.from === p.to ? monthName(p.from) : monthName(p.from) + ' tot en met ' + monthName(p.to));

function showLogin(message) {
	sessionStorage.removeItem(KEY);
	$('dashboard').hidden = true;
	$('login-section').hidden = false;
	$('login-error').textContent = message ?? '';
	$('key').value = '';
	if (message) $('key').focus();
}
function wrongKey() {
	showLogin('Deze API-sleutel is niet juist. Controleer de sleutel en probeer het opnieuw.');
}

let loading = 0;
async function load() {
	const p = period();
	if (!p.from || !p.to || !p.date) { $('status').textContent = 'Kies een periode en een peildatum.'; return; }
	if (p.from > p.to) { $('status').textContent = 'De eerste maand ligt na de laatste. Kies een andere periode.'; return; }
	const run = ++loading;
	const boxes = ['active', 'modules', 'noshows', 'billing'].map($);
	// The old content stays in place while loading (no jumps), marked busy.
	for (const b of boxes) b.setAttribute('aria-busy', 'true');
	$('status').textContent = 'Overzicht wordt geladen…';
	const q = 'from=' + encodeURIComponent(p.from) + '&to=' + encodeURIComponent(p.to);
	try {
		const [active, modules, noShows, billing] = await Promise.all([
			api('/v1/reports/active-accounts?date=' + encodeURIComponent(p.date)).then((r) => r.json()),
			api('/v1/reports/modules?' + q).then((r) => r.json()),
			api('/v1/reports/no-shows?' + q).then((r) => r.json()),
			api('/v1/billing?' + q + '&format=json').then((r) => r.json()),
		]);
		if (run !== loading) return;
		const name = label(p);
		drawActive(active);
		drawModules(modules, name);
		drawNoShows(noShows, name);
		drawBilling(billing, name);
		$('status').textContent = 'Overzicht van ' + name + ' (actieve accounts op ' + dayName(p.date) + ').';
	} catch (err) {
		if (run !== loading) return;
		if (err.code === 'unauthorized') return wrongKey();
		$('status').textContent = 'Het overzicht kon niet worden geladen: ' + err.message;
	} finally {
		if (run === loading) for (const b of boxes) b.removeAttribute('aria-busy');
	}
}

async function downloadCsv() {
	const p = period();
	if (!p.from || !p.to || p.from > p.to) { $('status').textContent = 'Kies eerst een geldige periode.'; return; }
	$('status').textContent = 'CSV wordt opgehaald…';
	try {
		const res = await api('/v1/billing?from=' + encodeURIComponent(p.from) + '&to=' + encodeURIComponent(p.to) + '&format=csv');
		// Fetched with the key in a header, then saved from memory: a plain link would need the key in its URL.
		const url = URL.createObjectURL(await res.blob());
		const a = el('a', { href: url, download: 'luwte-declaratie-' + p.from + '-' + p.to + '.csv' });
		document.body.append(a);
		a.click();
		a.remove();
		setTimeout(() => URL.revokeObjectURL(url), 60_000);
		$('status').textContent = 'CSV van ' + label(p) + ' gedownload.';
	} catch (err) {
		if (err.code === 'unauthorized') return wrongKey();
		$('status').textContent = 'De CSV kon niet worden opgehaald: ' + err.message;
	}
}

function pad(n) { return String(n).padStart(2, '0'); }
const now = new Date();
const thisMonth = now.getFullYear() + '-' + pad(now.getMonth() + 1);
$('from').value = thisMonth;
$('to').value = thisMonth;
$('date').value = thisMonth + '-' + pad(now.getDate());

$('login').addEventListener('submit', (e) => {
	e.preventDefault();
	const key = $('key').value.trim();
	if (!key) { $('login-error').textContent = 'Vul de API-sleutel in.'; return; }
	sessionStorage.setItem(KEY, key);
	$('key').value = '';
	$('login-error').textContent = '';
	$('login-section').hidden = true;
	$('dashboard').hidden = false;
	$('from').focus();
	load();
});
$('period').addEventListener('submit', (e) => { e.preventDefault(); load(); });
$('logout').addEventListener('click', () => { loading++; showLogin(); $('status').textContent = ''; for (const id of ['active', 'modules', 'noshows', 'billing']) $(id).replaceChildren(); $('key').focus(); });
$('csv').addEventListener('click', downloadCsv);

// Both parts start hidden: a returning user does not see the login form flash by.
if (sessionStorage.getItem(KEY)) {
	$('dashboard').hidden = false;
	load();
} else {
	$('login-section').hidden = false;
}
`;

/** `/dashboard`: attendance and billing at a glance, for team leaders and the billing department. */
export function dashboardPage(): string {
	return page('Overzicht aanwezigheid', body, { script, style });
}
