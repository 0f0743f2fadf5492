// tokenmaxx serve: the what-if page. The controls are drawn from the server's list of levers
// (GET /api/meta), so a new lever appears here without editing this file.
'use strict';

const $ = (id) => document.getElementById(id);
const clone = (v) => JSON.parse(JSON.stringify(v));
const tab = 'tab-' + Math.random().toString(36).slice(2, 12);
let meta = null;      // bases, levers, caps
let state = null;     // { base, policy, timeline }
let pinned = null;    // the baseline's { base, policy, timeline }, or null
let timer = null;     // debounce of changes
let current = null;   // the job the page is showing

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function status(text, error) {
  const s = $('status');
  s.textContent = text;
  s.className = error ? 'status error' : 'status';
}

async function init() {
  const r = await fetch('/api/meta');
  meta = await r.json();
  meta.bases.forEach((b, i) => $('base').append(el('option', { value: i }, `${b.name} (${b.from})`)));
  const start = Math.max(0, meta.bases.findIndex((b) => b.name === 'amazon-2026'));
  $('base').value = start;
  $('base').addEventListener('change', () => { loadBase(+$('base').value); changed(); });
  for (const id of ['employees', 'weeks', 'seed', 'replications', 'priors']) $(id).addEventListener('change', changed);
  $('employees').max = meta.caps.employees;
  $('weeks').max = meta.caps.weeks;
  $('replications').max = meta.caps.replications;
  $('add-change').addEventListener('click', () => {
    const weeks = +$('weeks').value || 52;
    state.timeline.push({ week: Math.min(weeks - 1, 13) });
    render();
  });
  $('pin').addEventListener('click', () => { pinned = clone(state); showPinned(); changed(); });
  $('unpin').addEventListener('click', () => { pinned = null; showPinned(); changed(); });
  $('download-scenario').addEventListener('click', () => download('/api/scenario'));
  $('download-report').addEventListener('click', () => download('/api/report'));
  loadBase(start);
  $('replications').value = 1;
  changed();
}

function loadBase(i) {
  const b = meta.bases[i];
  state = { base: i, policy: clone(b.policy), timeline: clone(b.timeline) };
  $('base-description').textContent = b.description;
  $('employees').value = Math.min(b.employees, meta.caps.employees);
  $('weeks').value = Math.min(b.weeks, meta.caps.weeks);
  $('seed').value = b.seed;
  render();
}

function showPinned() {
  $('unpin').hidden = !pinned;
  $('pinned').textContent = pinned
    ? `Baseline pinned: ${meta.bases[pinned.base].name} as it was when pinned. Figures show the paired difference (same seed and replications).`
    : 'No baseline pinned: figures are shown on their own.';
}

// ---- the policy editor ---------------------------------------------------------------------

function render() {
  const box = $('changes');
  box.replaceChildren(entryEditor(state.policy, null));
  state.timeline.forEach((t, i) => box.append(entryEditor(t, i)));
}

function entryEditor(entry, index) {
  const legend = index === null
    ? el('legend', {}, 'Policy from the start (week 0)')
    : el('legend', {}, 'From week ', el('input', {
        type: 'number', min: 0, step: 1, value: entry.week, 'aria-label': 'week of this change',
        onchange: (e) => { entry.week = num(e.target.value, true); changed(); },
      }), ' ', el('button', { type: 'button', class: 'remove', title: 'remove this change',
        onclick: () => { state.timeline.splice(index, 1); render(); changed(); } }, '\u00d7'));
  const box = el('fieldset', {}, legend);
  for (const lever of meta.levers) {
    if (lever.key in entry) box.append(leverEditor(entry, lever));
  }
  const missing = meta.levers.filter((l) => !(l.key in entry));
  if (missing.length) {
    const add = el('select', { 'aria-label': 'add a lever',
      onchange: (e) => {
        const lever = meta.levers.find((l) => l.key === e.target.value);
        if (lever) { entry[lever.key] = clone(lever.example); render(); changed(); }
      } }, el('option', { value: '' }, 'Add a lever...'));
    for (const l of missing) add.append(el('option', { value: l.key }, l.key.replace(/_/g, ' ')));
    box.append(add);
  }
  return box;
}

function leverEditor(entry, lever) {
  const key = lever.key;
  const remove = el('button', { type: 'button', class: 'remove', title: `remove ${key} from this change`,
    onclick: () => { delete entry[key]; render(); changed(); } }, '\u00d7');
  const box = el('div', { class: 'lever', 'data-lever': key },
    el('h3', {}, key.replace(/_/g, ' '), remove), el('p', { class: 'words' }, lever.words));
  if (lever.fields.length === 0 && lever.choices.length > 0) {
    // one word of the lever's choices, or off (`true` is the first choice, `false` is off)
    const now = entry[key] === true ? lever.choices[0] : (entry[key] === false ? 'off' : entry[key]);
    const s = el('select', { onchange: (e) => { entry[key] = e.target.value; changed(); } });
    for (const c of ['off', ...lever.choices]) {
      s.append(el('option', { value: c, selected: c === now }, c.replace(/[-_]/g, ' ')));
    }
    box.append(el('label', {}, 'counts ', s));
    return box;
  }
  if (lever.fields.length === 0) {
    box.append(check('on', entry[key] === true, (v) => { entry[key] = v; }));
    return box;
  }
  const value = entry[key];
  if (lever.can_be_off) {
    box.append(check('off', value === 'off', (v) => {
      entry[key] = v ? 'off' : clone(lever.example);
      render();
    }));
  }
  if (value === 'off' || typeof value !== 'object') return box;
  const row = el('div', { class: 'row' });
  for (const f of lever.fields) row.append(fieldEditor(value, f));
  box.append(row);
  return box;
}

function check(label, on, set) {
  return el('label', {}, el('input', { type: 'checkbox', checked: on,
    onchange: (e) => { set(e.target.checked); changed(); } }), ' ' + label);
}

function num(text, integer) {
  const v = Number(text);
  return text === '' || !Number.isFinite(v) ? text : (integer ? Math.round(v) : v);
}

function fieldEditor(table, f) {
  const name = f.name.replace(/_/g, ' ');
  const v = table[f.name];
  if (f.kind === 'choice') {
    const s = el('select', { onchange: (e) => { table[f.name] = e.target.value; changed(); } });
    for (const c of f.choices) s.append(el('option', { value: c, selected: c === v }, c.replace(/_/g, ' ')));
    return el('label', {}, name + ' ', s);
  }
  if (f.kind === 'bool') return check(name, v === true, (x) => { table[f.name] = x; });
  if (f.kind === 'groups') {
    const groups = meta.bases[state.base].groups;
    const chosen = new Set(Array.isArray(v) ? v : []);
    const box = el('span', {}, name + ': ');
    for (const g of groups) {
      box.append(check(g, chosen.has(g), (x) => {
        if (x) chosen.add(g); else chosen.delete(g);
        table[f.name] = groups.filter((n) => chosen.has(n));
      }));
    }
    return box;
  }
  return el('label', {}, name + ' ', el('input', {
    type: 'number', step: 'any', value: v === undefined ? '' : v,
    placeholder: f.kind === 'optional' ? 'none' : '',
    onchange: (e) => {
      if (e.target.value === '' && f.kind === 'optional') delete table[f.name];
      else table[f.name] = num(e.target.value, f.kind === 'integer');
      changed();
    },
  }));
}

// ---- running -------------------------------------------------------------------------------

function request() {
  return {
    scenario: clone(state),
    baseline: pinned ? clone(pinned) : null,
    seed: num($('seed').value, true),
    employees: num($('employees').value, true),
    weeks: num($('weeks').value, true),
    replications: num($('replications').value, true),
    priors: $('priors').checked,
    tab,
  };
}

function changed() {
  clearTimeout(timer);
  timer = setTimeout(submit, 250);
}

async function post(url) {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(request()) });
}

async function submit() {
  status('Running...');
  let r;
  try { r = await post('/api/run'); } catch (e) { status('The server does not answer.', true); return; }
  const body = await r.json();
  if (r.status === 503) { status(body.error + ' (retrying)'); timer = setTimeout(submit, 600); return; }
  if (!r.ok) { status(body.error, true); current = null; return; }
  current = body.job;
  document.body.dataset.state = 'running';
  poll(body.job, '', 0);
}

async function poll(id, seen, done) {
  if (id !== current) return;
  let s;
  const have = seen === 'all' ? 2 : (seen === 'first' ? 1 : 0);
  let r;
  try {
    r = await fetch(`/api/job?id=${id}&seen=${have}`);
    s = await r.json();
  } catch (e) { status('The server does not answer.', true); return; }
  if (id !== current) return;
  if (!r.ok) { status(s.error, true); return; }
  if (s.first && seen === '') { showFirst(s.first); seen = 'first'; }
  if (s.all && seen !== 'all') { showAll(s.all, s.replications); seen = 'all'; }
  if (s.state === 'failed') { status('The run failed: ' + s.error, true); document.body.dataset.state = 'failed'; return; }
  if (s.state === 'cancelled') return;
  if (s.state === 'done') {
    status(`Done: ${s.replications} replication${s.replications > 1 ? 's' : ''}.`);
    document.body.dataset.state = 'done';
    return;
  }
  if (s.replications_done !== done || s.state === 'running') {
    status(s.first ? `Replications ${s.replications_done} of ${s.replications}...` : 'Running...');
  }
  setTimeout(() => poll(id, seen, s.replications_done), 120);
}

function svgImage(svg, alt) {
  return el('img', { alt, src: 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg) });
}

const CHARTS = ['Token spend versus productivity', 'Weekly AI adoption', 'Where the tokens go',
  'Net value, token cost and return', 'Bots and incidents'];

function showCharts(charts) {
  $('charts').replaceChildren(...charts.map((c, i) => svgImage(c, CHARTS[i] || 'chart')));
}

function showFirst(first) {
  $('headline').replaceChildren(...first.headline.map((line) => el('p', {}, line)));
  $('headline').dataset.net = first.net_value_per_employee_year_usd;
  showCharts(first.charts);
  $('figures').hidden = true;
}

function showAll(all, replications) {
  showCharts(all.charts);
  const t = $('figures');
  if (replications < 2 && !all.baseline) return;
  $('vs').textContent = all.baseline ? ', and against the pinned baseline (paired by replication)' : '';
  const head = ['Figure', 'Mean', '95% interval'];
  if (all.baseline) head.push('Difference', '95% interval', 'Better in');
  t.tHead.replaceChildren(el('tr', {}, ...head.map((h) => el('th', {}, h))));
  const body = t.tBodies[0];
  body.replaceChildren();
  for (const f of all.figures) {
    const cells = [el('td', {}, f.label), el('td', { class: 'num' }, f.mean), el('td', { class: 'num' }, f.interval)];
    if (all.baseline) {
      cells.push(el('td', { class: 'num' }, f.diff || ''), el('td', { class: 'num' }, f.diff_interval || ''),
        el('td', { class: 'num' }, f.share_better === null ? '' : `${Math.round(f.share_better * 100)}%`));
    }
    body.append(el('tr', { 'data-figure': f.name }, ...cells));
  }
  t.hidden = false;
}

async function download(url) {
  const r = await post(url);
  if (!r.ok) { status((await r.json()).error, true); return; }
  const blob = await r.blob();
  const m = /filename="([^"]+)"/.exec(r.headers.get('Content-Disposition') || '');
  const a = el('a', { href: URL.createObjectURL(blob), download: m ? m[1] : 'download' });
  document.body.append(a);
  a.click();
  a.remove();
}

document.addEventListener('DOMContentLoaded', init);
