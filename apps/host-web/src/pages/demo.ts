import { esc, page } from './html.ts';

const modules: [string, string][] = [
	['communicatie', 'Communicatie'],
	['eigen-regie', 'Eigen regie'],
	['fit-en-vitaal', 'Fit en Vitaal'],
	['vaardig-en-creatief', 'Vaardig en creatief'],
	['talent-en-ambitie', 'Talent en ambitie'],
];

/** `/`: try Luwte in two tabs (development tenant only). */
export function demoPage(): string {
	return page(
		'Probeer Luwte',
		`<h1>Probeer Luwte</h1>
<p>Maak een activiteit en open hem twee keer: één keer als begeleider, één keer als deelnemer.
Deze pagina bestaat alleen zolang er geen zorgorganisaties zijn ingesteld (ontwikkeling).</p>
<form id="create">
	<label for="title">Naam van de activiteit</label>
	<input id="title" name="title" required maxlength="200" value="Samen bewegen">
	<label for="module">Module</label>
	<select id="module" name="module">${modules.map(([v, l]) => `<option value="${esc(v)}">${esc(l)}</option>`).join('')}</select>
	<p><button type="submit">Nieuwe activiteit maken</button></p>
</form>
<div id="result" role="status" aria-live="polite"></div>
<p><a href="/embed/">Zo zet u een activiteit op uw eigen website</a></p>`,
		{
			script: `
const form = document.getElementById('create');
const result = document.getElementById('result');
form.addEventListener('submit', async (e) => {
	e.preventDefault();
	result.textContent = 'Even geduld…';
	const res = await fetch('/demo/sessions', {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ title: form.title.value, module: form.module.value }),
	});
	if (!res.ok) { result.textContent = 'Dat lukte niet. Probeer het nog eens.'; return; }
	const d = await res.json();
	result.innerHTML = '';
	const p = document.createElement('p');
	p.textContent = 'De activiteit "' + d.title + '" staat klaar. Open beide links, elk in een eigen tabblad:';
	const links = document.createElement('div');
	links.className = 'links';
	for (const [label, token] of [['Open als begeleider', d.hostToken], ['Open als deelnemer', d.participantToken]]) {
		const a = document.createElement('a');
		a.className = 'button';
		a.target = '_blank';
		a.rel = 'noopener';
		// The token rides in the fragment: browsers never send it to a server or into its logs.
		a.href = '/demo/join#token=' + encodeURIComponent(token);
		a.textContent = label;
		links.append(a);
	}
	result.append(p, links);
});`,
		},
	);
}

/** `/demo/join#token=…`: one participant's view; `script` is the element's (versioned) path. */
export function demoJoinPage(script = '/embed/luwte.js'): string {
	return page('Meedoen', `<h1>Meedoen</h1><div id="slot"></div>`, {
		script: `
import ${JSON.stringify(script)};
const token = new URLSearchParams(location.hash.slice(1)).get('token');
history.replaceState(null, '', location.pathname); // do not keep the token in the address bar or history
const el = document.createElement('luwte-session');
el.setAttribute('server', location.origin);
el.token = token ?? '';
document.getElementById('slot').append(el);`,
	});
}
