// click.js: opens every page of the corpus in headless Chromium through the
// gateway over the DevTools protocol, then clicks each of its links and
// submits each of its forms, page by page, letting each settle. Prints one
// line per action: "ORIGIN PATH" of where the browser ended up. Run with
// node --experimental-websocket click.js CHROMIUM BASEURL PAGE...
'use strict';
const { spawn } = require('child_process');
const os = require('os'), fs = require('fs'), path = require('path');

const [chromium, base, ...pages] = process.argv.slice(2);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wisp-click-'));
const chrome = spawn(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync',
	'--remote-debugging-port=0', '--user-data-dir=' + dir, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
const quit = (code) => { try { chrome.kill('SIGKILL'); } catch (e) {} fs.rmSync(dir, { recursive: true, force: true }); process.exit(code); };
setTimeout(() => { console.error('click.js: out of time'); quit(2); }, 240000);

let buf = '';
chrome.stderr.on('data', (d) => {
	buf += d;
	const m = buf.match(/DevTools listening on (ws:\/\/\S+)/);
	if (m && !started) { started = true; run(m[1]).then(() => quit(0), (e) => { console.error('click.js:', e); quit(1); }); }
});
let started = false;

async function run(url) {
	const ws = new WebSocket(url);
	await new Promise((ok, bad) => { ws.onopen = ok; ws.onerror = bad; });
	let id = 0;
	const waiting = new Map(), events = [];
	ws.onmessage = (m) => {
		const msg = JSON.parse(m.data);
		if (msg.id && waiting.has(msg.id)) { waiting.get(msg.id)(msg); waiting.delete(msg.id); }
		else if (msg.method) events.push(msg);
	};
	const send = (method, params = {}, sessionId) => new Promise((ok) => {
		const n = ++id;
		waiting.set(n, ok);
		ws.send(JSON.stringify({ id: n, method, params, sessionId }));
	});
	const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
	const { result: { targetId } } = await send('Target.createTarget', { url: 'about:blank' });
	const { result: { sessionId } } = await send('Target.attachToTarget', { targetId, flatten: true });
	const s = (method, params) => send(method, params, sessionId);
	await s('Page.enable');
	const where = async () => (await s('Runtime.evaluate', { expression: 'location.origin + " " + location.pathname', returnByValue: true })).result.result.value;
	const open = async (u) => { await s('Page.navigate', { url: u }); await sleep(1200); };
	for (const page of pages) {
		const u = base + page;
		await open(u);
		const count = async (sel) => (await s('Runtime.evaluate', { expression: `document.querySelectorAll(${JSON.stringify(sel)}).length`, returnByValue: true })).result.result.value || 0;
		const links = await count('a[href], area[href]');
		for (let i = 0; i < links; i++) {
			await open(u);
			await s('Runtime.evaluate', { expression: `document.querySelectorAll('a[href], area[href]')[${i}].click()` });
			await sleep(1200);
			console.log('link ' + page + ' ' + i + ' ' + await where());
		}
		const forms = await count('form');
		for (let i = 0; i < forms; i++) {
			await open(u);
			await s('Runtime.evaluate', { expression: `(f => { const b = f.querySelector('[type=submit], button'); b ? b.click() : f.submit(); })(document.forms[${i}])` });
			await sleep(1200);
			console.log('form ' + page + ' ' + i + ' ' + await where());
		}
	}
	ws.close();
}
