// The merchandiser's console: plain JS against the admin API the CLI uses (no privileged path of
// its own). The token lives in this tab's sessionStorage; everything else is the draft being
// edited, the live version it started from, and the last preview.
const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
};
const clone = (v) => JSON.parse(JSON.stringify(v));
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

const state = {
  token: sessionStorage.getItem('vitrine-token'),
  live: null, // {version, doc}
  base: null, // the live version the draft started from
  draft: null,
  preview: null,
  problems: { errors: [], warnings: [] },
  editing: null, // index of the rule in the form
};

async function api(method, path, body, headers = {}) {
  const res = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${state.token}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, json, text, etag: (res.headers.get('etag') ?? '').replaceAll('"', '') || null };
}

// --- Sign in -------------------------------------------------------------------------------------

async function signIn(token) {
  state.token = token;
  const r = await api('GET', '/__vitrine/config');
  if (r.status === 401) {
    state.token = null;
    sessionStorage.removeItem('vitrine-token');
    $('signin-error').textContent = 'That token is not the admin token.';
    return false;
  }
  sessionStorage.setItem('vitrine-token', token);
  state.live = r.status === 200 ? { version: r.etag, doc: r.json } : { version: null, doc: { version: 1, rules: [] } };
  state.base = clone(state.live);
  state.draft = JSON.parse(localStorage.getItem(`vitrine-draft-${state.live.version}`) ?? 'null') ?? clone(state.live.doc);
  $('signin').hidden = true;
  $('app').hidden = false;
  $('signout').hidden = false;
  $('author').value = localStorage.getItem('vitrine-author') ?? '';
  fillPages();
  draftChanged({ validate: true });
  await runPreview();
  return true;
}

$('signin-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('signin-error').textContent = '';
  await signIn($('token').value.trim());
});
$('signout').addEventListener('click', () => {
  sessionStorage.removeItem('vitrine-token');
  location.reload();
});

// --- Tabs (arrow keys move between them, as the ARIA pattern says) ------------------------------

const tabs = [...document.querySelectorAll('[role=tab]')];
function select(tab) {
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute('aria-controls')).hidden = !on;
  }
  tab.focus();
  if (tab.id === 'tab-history') loadHistory();
  if (tab.id === 'tab-rules') renderRules();
}
for (const t of tabs) {
  t.addEventListener('click', () => select(t));
  t.addEventListener('keydown', (e) => {
    const i = tabs.indexOf(t);
    if (e.key === 'ArrowRight') select(tabs[(i + 1) % tabs.length]);
    if (e.key === 'ArrowLeft') select(tabs[(i + tabs.length - 1) % tabs.length]);
  });
}

// --- The draft -----------------------------------------------------------------------------------

let validateTimer = null;
function draftChanged({ validate = true, raw = true } = {}) {
  const changed = !same(state.draft, state.base?.doc);
  $('draft-state').textContent = changed ? `Draft: unsaved changes on version ${state.base?.version ?? 'none'}` : `Draft = live (${state.live?.version ?? 'nothing pushed yet'})`;
  $('draft-state').className = changed ? 'changed' : '';
  $('live').textContent = `Live: ${state.live?.version ?? 'none'}`;
  if (state.live?.version) localStorage.setItem(`vitrine-draft-${state.base.version}`, JSON.stringify(state.draft));
  if (raw && document.activeElement !== $('raw-json')) $('raw-json').value = JSON.stringify(state.draft, null, 2);
  if (validate) {
    clearTimeout(validateTimer);
    validateTimer = setTimeout(validateDraft, 300);
  }
  renderRules();
}

async function validateDraft() {
  const r = await api('POST', '/__vitrine/config/validate', state.draft);
  state.problems = r.json ?? { errors: [{ path: '(document)', message: r.text }], warnings: [] };
  showProblems();
}

function showProblems() {
  const box = $('problems');
  box.replaceChildren();
  const { errors = [], warnings = [] } = state.problems;
  if (errors.length) box.append(el('h3', { text: 'Errors (the draft cannot be pushed)' }), el('ul', {}, errors.map((p) => el('li', { class: 'error' }, el('code', { text: p.path }), ` ${p.message}`))));
  // Messages beside the form field their path names.
  for (const f of document.querySelectorAll('#rule-form [data-path]')) {
    const mine = errors.filter((p) => p.path === f.dataset.path || p.path.startsWith(`${f.dataset.path}.`) || p.path.startsWith(`${f.dataset.path}[`));
    const msg = $(`msg-${f.id}`);
    if (msg) msg.textContent = mine.map((p) => p.message).join('; ');
    f.setAttribute('aria-invalid', String(mine.length > 0));
  }
  $('push').disabled = errors.length > 0;
  renderRules();
}

$('raw-json').addEventListener('input', () => {
  try {
    state.draft = JSON.parse($('raw-json').value);
    draftChanged({ raw: false });
  } catch (e) {
    state.problems = { errors: [{ path: '(JSON)', message: e.message }], warnings: [] };
    showProblems();
  }
});
$('discard').addEventListener('click', () => {
  state.draft = clone(state.base.doc);
  draftChanged();
  runPreview();
});

// --- Preview -------------------------------------------------------------------------------------

function visitor() {
  const fan = $('fan').value.trim();
  switch ($('shopper').value) {
    case 'returning': return { returning: true };
    case 'buyer': return { returning: true, intent: 'buy' };
    case 'customer': return { returning: true, customer: true };
    case 'brand': return { returning: true, brands: fan ? { [fan]: 220 } : {} };
    case 'category': return { returning: true, categories: fan ? { [fan]: 220 } : {} };
    case 'noconsent': return { consent: false };
    case 'bot': return { consent: false };
    case 'holdout': return { returning: true, holdout: true };
    case 'custom':
      try {
        return JSON.parse($('custom').value);
      } catch {
        return {};
      }
    default: return {};
  }
}
$('shopper').addEventListener('change', () => {
  const v = $('shopper').value;
  $('fan').hidden = $('fan-label').hidden = !['brand', 'category'].includes(v);
  $('fan-label').textContent = v === 'brand' ? 'Brand' : 'Category';
  $('custom').hidden = v !== 'custom';
});

function fillPages() {
  const pages = new Set([...(state.draft.site?.samples ?? []), ...JSON.parse(localStorage.getItem('vitrine-pages') ?? '[]')]);
  $('pages').replaceChildren(...[...pages].map((p) => el('option', { value: p })));
}

$('preview-form').addEventListener('submit', (e) => {
  e.preventDefault();
  runPreview();
});

async function runPreview() {
  const page = $('page').value.trim() || '/';
  const recent = [page, ...JSON.parse(localStorage.getItem('vitrine-pages') ?? '[]').filter((p) => p !== page)].slice(0, 10);
  localStorage.setItem('vitrine-pages', JSON.stringify(recent));
  $('preview-status').textContent = `Previewing ${page}…`;
  const r = await api('POST', '/__vitrine/preview', { config: state.draft, url: page, visitor: visitor() });
  if (r.status !== 200) {
    $('preview-status').textContent = `Preview failed: ${r.json?.error ?? r.status} ${(r.json?.errors ?? []).map((p) => `${p.path}: ${p.message}`).join('; ')}`;
    return;
  }
  state.preview = r.json;
  renderPreview();
}

/** Whether a boost/bury/exclude matcher matches an item (as rank.rs reads it). */
function matches(m = {}, item) {
  const has = (list, v) => !list?.length || (v !== null && v !== undefined && list.map((x) => String(x).toLowerCase()).includes(String(v).toLowerCase()));
  return has(m.products, item.key) && has(m.brand, item.brand) && has(m.category, item.category) && has(m.stock, item.stock)
    && (!m.tag?.length || (item.tags ?? []).some((t) => m.tag.includes(t)));
}

function badgesFor(item, grid) {
  const out = [];
  const fired = new Set((state.preview.rules ?? []).filter((r) => r.status === 'fired').map((r) => r.id));
  for (const rule of state.draft.rules ?? []) {
    if (!fired.has(rule.id)) continue;
    if (rule.pin?.product === item.key) out.push(['pinned', rule.id]);
    if (rule.boost && matches(rule.boost.match, item)) out.push(['boosted', rule.id]);
    if (rule.bury && matches(rule.bury.match, item)) out.push(['buried', rule.id]);
  }
  const hidden = grid.hidden.find((h) => h.key === item.key);
  if (hidden) out.push(['hidden', hidden.rule]);
  return out;
}

function card(item, { moved, grid, slot, draggable }) {
  const badges = badgesFor(item, grid);
  const c = el('li', { class: 'card', 'data-key': item.key, draggable: draggable ? 'true' : undefined, tabindex: draggable ? '0' : undefined, 'aria-label': draggable ? `${item.name ?? item.key}, slot ${slot + 1}` : undefined },
    item.image ? el('img', { src: item.image, alt: '', loading: 'lazy' }) : el('div', { class: 'noimg', text: 'no image' }),
    el('strong', { text: item.name ?? item.key }),
    el('span', { class: 'meta', text: [item.key, item.brand, item.price !== null && item.price !== undefined ? item.price.toFixed(2) : null, item.stock].filter(Boolean).join(' · ') }),
    moved ? el('span', { class: `move ${moved > 0 ? 'up' : 'down'}`, text: moved > 0 ? `↑${moved}` : `↓${-moved}`, title: `${moved > 0 ? 'up' : 'down'} ${Math.abs(moved)} from the origin's order` }) : null,
    el('span', { class: 'badges' }, badges.map(([b, rule]) => el('span', { class: `badge ${b}`, text: `${b}: ${rule}` }))),
  );
  if (draggable) {
    c.addEventListener('dragstart', (e) => e.dataTransfer.setData('text/plain', item.key));
    c.addEventListener('dragover', (e) => e.preventDefault());
    c.addEventListener('drop', (e) => {
      e.preventDefault();
      pin(e.dataTransfer.getData('text/plain'), slot + 1);
    });
    // The keyboard's way: P on a card asks for its slot.
    c.addEventListener('keydown', (e) => {
      if (e.key === 'p' || e.key === 'P') {
        const to = Number(prompt(`Pin ${item.key} to which slot?`, '1'));
        if (to >= 1) pin(item.key, to);
      }
    });
  }
  return c;
}

function pin(key, position) {
  const rules = (state.draft.rules ??= []);
  const id = `pin-${key}`.toLowerCase().replace(/[^a-z0-9_.:-]/g, '-').slice(0, 64);
  const category = state.preview?.category;
  const existing = rules.find((r) => r.pin?.product === key);
  // Above every other pin: what the merchandiser just placed is what they mean.
  const priority = Math.max(0, ...rules.filter((r) => r.pin && r !== existing).map((r) => r.priority ?? 0)) + 1;
  const rule = existing ?? { id, scope: { pages: ['plp'], ...(category ? { categories: [category] } : {}) }, pin: { product: key, position } };
  rule.pin.position = position;
  rule.priority = priority;
  if (!existing) rules.unshift(rule);
  draftChanged();
  runPreview();
}

function renderPreview() {
  const p = state.preview;
  const page = $('page').value;
  $('preview-status').textContent = `${page}: ${p.page}${p.category ? ` (${p.category})` : ''}, as ${$('shopper').selectedOptions[0].textContent}${p.origin_status && p.origin_status !== 200 ? ` — the origin answered ${p.origin_status}` : ''}`;
  const grids = $('grids');
  grids.replaceChildren();
  for (const g of p.grids) {
    const byKey = new Map(g.items.map((i) => [i.key, i]));
    const before = g.before.map((k, i) => card(byKey.get(k) ?? { key: k }, { grid: g, slot: i }));
    const after = g.after.map((k, i) => card(byKey.get(k) ?? { key: k }, { moved: g.before.indexOf(k) - i, grid: g, slot: i, draggable: true }));
    const hidden = g.hidden.map((h) => card(byKey.get(h.key) ?? { key: h.key }, { grid: g, slot: -1 }));
    grids.append(el('section', { class: 'compare', 'aria-label': `grid ${g.name}` },
      el('h3', { text: `Grid ${g.name}: ${g.tiles} tiles` }),
      el('div', { class: 'cols' },
        el('div', {}, el('h4', { text: 'Origin' }), el('ol', { class: 'grid before' }, before)),
        el('div', {}, el('h4', { text: 'vitrine (drag a product onto a slot to pin it there; or focus it and press P)' }), el('ol', { class: 'grid after' }, after),
          hidden.length ? el('div', {}, el('h4', { text: 'Hidden' }), el('ol', { class: 'grid hidden' }, hidden)) : null))));
  }
  const brands = new Set(p.grids.flatMap((g) => g.items.map((i) => i.brand).filter(Boolean)));
  $('brands').replaceChildren(...[...brands].map((b) => el('option', { value: b })));
  // The hero and the first product image, before and after.
  const hero = $('hero-compare');
  hero.replaceChildren();
  const side = (title, shown = {}, variant) => el('div', { class: 'hero-side' }, el('h4', { text: title }),
    el('p', { class: 'headline', text: shown.headline ?? '(no headline found)' }),
    shown.sub ? el('p', { text: shown.sub }) : null,
    shown.cta ? el('p', { class: 'cta', text: shown.cta }) : null,
    shown.image ? el('img', { src: shown.image, alt: '', class: 'hero-img' }) : null,
    variant ? el('p', { class: 'meta', text: `variant ${variant}` }) : null,
    (shown.gallery ?? []).length ? el('div', { class: 'gallery-strip' }, el('span', { text: 'Gallery: ' }), shown.gallery.slice(0, 6).map((src) => el('img', { src, alt: '', class: 'thumb' }))) : null);
  if (p.shown) hero.append(el('div', { class: 'cols' }, side('Hero, origin', p.shown.before), side('Hero, vitrine', p.shown.after, p.hero?.variant)));
  if (p.image) hero.append(el('p', { text: `First product image: ${p.image.prefer.join(' > ')} (rule ${p.image.rule})${p.image.moved_first ? `, moved first: ${p.image.moved_first}` : ''}` }));
  $('explain').replaceChildren(...(p.rules ?? []).map((r) => el('li', { class: `rule ${r.status}` }, el('code', { text: r.id }), ` ${r.type}, ${r.status}: ${r.why}`)));
  $('warnings').replaceChildren(...(p.warnings ?? []).length ? [el('h3', { text: 'Warnings' }), el('ul', {}, p.warnings.map((w) => el('li', {}, el('code', { text: w.path }), ` ${w.message}`)))] : []);
}

$('share').addEventListener('click', async () => {
  const name = $('note').value.trim() || 'draft';
  const r = await api('POST', '/__vitrine/preview-link', { config: state.draft, visitor: visitor(), name, ttl_s: 24 * 3600 });
  if (r.status !== 201) {
    $('share-result').textContent = `Could not create the link: ${r.json?.error ?? r.status}`;
    return;
  }
  const page = $('page').value.trim() || '/';
  const url = `${location.origin}${page}${page.includes('?') ? '&' : '?'}${r.json.param}=${encodeURIComponent(r.json.token)}`;
  $('share-result').replaceChildren('QA link (valid 24 hours; opens the live store with this draft and shopper): ', el('a', { href: url, id: 'share-link', target: '_blank', rel: 'noopener', text: url }));
});

// --- Rules ---------------------------------------------------------------------------------------

const TYPES = ['pin', 'boost', 'bury', 'exclude', 'guarantee', 'hero', 'image'];
const typeOf = (r) => TYPES.find((t) => r[t] !== undefined) ?? '?';
function statusOf(r) {
  if (r.mode === 'shadow' || state.draft.mode === 'shadow') return 'shadow';
  const now = Date.now();
  if (r.schedule?.start && Date.parse(r.schedule.start) > now) return 'scheduled';
  if (r.schedule?.end && Date.parse(r.schedule.end) <= now) return 'expired';
  return 'live';
}

function renderRules() {
  const list = $('rule-list');
  if (!list || !state.draft) return;
  const [type, status, page] = [$('filter-type').value, $('filter-status').value, $('filter-page').value];
  list.replaceChildren();
  (state.draft.rules ?? []).forEach((r, i) => {
    if ((type && typeOf(r) !== type) || (status && statusOf(r) !== status) || (page && r.scope?.pages?.length && !r.scope.pages.includes(page))) return;
    const warn = (state.problems.warnings ?? []).filter((w) => w.path.startsWith(`rules[${i}]`)).map((w) => w.message);
    const err = (state.problems.errors ?? []).filter((w) => w.path.startsWith(`rules[${i}]`)).map((w) => w.message);
    list.append(el('tr', {},
      el('td', {}, el('code', { text: r.id })),
      el('td', { text: typeOf(r) }),
      el('td', { text: (r.scope?.pages ?? ['all']).join(', ') }),
      el('td', { text: statusOf(r) }),
      el('td', { class: err.length ? 'error' : 'warning', text: [...err, ...warn].join('; ') }),
      el('td', {}, el('button', { type: 'button', onclick: () => editRule(i), text: 'Edit' }), el('button', { type: 'button', onclick: () => { state.draft.rules.splice(i, 1); draftChanged(); }, text: 'Delete' }))));
  });
}
for (const f of ['filter-type', 'filter-status', 'filter-page']) $(f).addEventListener('change', renderRules);

$('add-rule').addEventListener('click', () => {
  const t = $('new-type').value;
  const n = (state.draft.rules ?? []).length + 1;
  const fresh = {
    pin: { pin: { product: '', position: 1 } },
    boost: { boost: { match: { brand: [] }, weight: 0.3 } },
    bury: { bury: { match: { stock: ['low_stock'] }, weight: 0.3 } },
    exclude: { exclude: { match: { products: [] } } },
    guarantee: { guarantee: { in_stock_only: true } },
    hero: { hero: { variant: 'new', headline: '' } },
    image: { scope: { pages: ['pdp'] }, image: { prefer: ['lifestyle'] } },
  }[t];
  (state.draft.rules ??= []).push({ id: `${t}-${n}`, ...fresh });
  draftChanged();
  editRule(state.draft.rules.length - 1);
});

const csv = (v) => (v ?? []).join(', ');
const list = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);

/** A labelled field bound to a path in the rule; its messages show beside it. */
function field(i, label, path, value, set, attrs = {}) {
  const id = `f-${path.replace(/[^a-z0-9]/gi, '-')}`;
  const input = attrs.type === 'select'
    ? el('select', { id, 'data-path': `rules[${i}].${path}`, 'aria-describedby': `msg-${id}` }, attrs.options.map((o) => el('option', { value: o, selected: o === value, text: o })))
    : el(attrs.type === 'textarea' ? 'textarea' : 'input', { id, 'data-path': `rules[${i}].${path}`, 'aria-describedby': `msg-${id}`, type: attrs.type === 'textarea' ? undefined : attrs.type ?? 'text', list: attrs.list, step: attrs.step });
  if (attrs.type === 'checkbox') input.checked = !!value;
  else if (attrs.type !== 'select') input.value = value ?? '';
  input.addEventListener(attrs.type === 'select' || attrs.type === 'checkbox' ? 'change' : 'input', () => {
    set(attrs.type === 'checkbox' ? input.checked : attrs.type === 'number' ? Number(input.value) : input.value);
    draftChanged();
    if (attrs.after) attrs.after();
  });
  return el('div', { class: 'field' }, el('label', { for: id, text: label }), input, el('span', { id: `msg-${id}`, class: 'msg error', role: 'alert' }));
}

function editRule(i) {
  state.editing = i;
  const r = state.draft.rules[i];
  const t = typeOf(r);
  const form = $('rule-form');
  form.hidden = false;
  form.replaceChildren(el('h3', { text: `Rule ${r.id} (${t})` }));
  const keys = [...new Set((state.preview?.grids ?? []).flatMap((g) => g.items.map((x) => x.key)))];
  form.append(el('datalist', { id: 'product-keys' }, (state.preview?.grids ?? []).flatMap((g) => g.items).map((x) => el('option', { value: x.key, text: `${x.name ?? ''} ${x.brand ?? ''}` }))));
  form.append(
    field(i, 'Id', 'id', r.id, (v) => (r.id = v)),
    field(i, 'Priority', 'priority', r.priority ?? 0, (v) => (r.priority = v), { type: 'number' }),
    field(i, 'Mode', 'mode', r.mode ?? 'enforce', (v) => (v === 'enforce' ? delete r.mode : (r.mode = v)), { type: 'select', options: ['enforce', 'shadow'] }),
    field(i, 'Pages (comma-separated: plp, pdp, search, home)', 'scope.pages', csv(r.scope?.pages), (v) => ((r.scope ??= {}).pages = list(v))),
    field(i, 'Categories', 'scope.categories', csv(r.scope?.categories), (v) => ((r.scope ??= {}).categories = list(v))),
  );
  const zone = state.draft.site?.time_zone ?? 'UTC';
  const local = (v) => (v ? v.replace(/(:\d\d)?(Z|[+-]\d\d:\d\d)?$/, '').slice(0, 16) : '');
  const stamp = (v) => (v ? `${v}:00${zone === 'UTC' ? 'Z' : zone}` : undefined);
  form.append(
    field(i, `Starts (${zone})`, 'schedule.start', local(r.schedule?.start), (v) => ((r.schedule ??= {}).start = stamp(v)), { type: 'datetime-local' }),
    field(i, `Ends, exclusive (${zone})`, 'schedule.end', local(r.schedule?.end), (v) => ((r.schedule ??= {}).end = stamp(v)), { type: 'datetime-local' }),
  );
  if (t === 'pin') {
    form.append(
      field(i, 'Product (search by key or name)', 'pin.product', r.pin.product, (v) => (r.pin.product = v), { list: 'product-keys' }),
      field(i, 'Position', 'pin.position', r.pin.position, (v) => (r.pin.position = v), { type: 'number' }),
    );
  }
  if (['boost', 'bury', 'exclude'].includes(t)) {
    const m = (r[t].match ??= {});
    const attr = Object.keys(m).find((k) => ['brand', 'category', 'tag', 'stock', 'products'].includes(k)) ?? 'brand';
    const state_ = { attr };
    form.append(
      field(i, 'Match by', `${t}.match`, attr, (v) => { const vals = m[state_.attr] ?? []; delete m[state_.attr]; state_.attr = v; m[v] = vals; }, { type: 'select', options: ['brand', 'category', 'tag', 'stock', 'products'] }),
      field(i, 'Values (comma-separated)', `${t}.match.${attr}`, csv(m[attr]), (v) => (m[state_.attr] = list(v)), { list: 'product-keys' }),
    );
    if (t !== 'exclude') form.append(field(i, 'Weight', `${t}.weight`, r[t].weight, (v) => (r[t].weight = v), { type: 'number', step: '0.05' }));
  }
  if (t === 'guarantee') {
    form.append(
      field(i, 'Only products in stock', 'guarantee.in_stock_only', r.guarantee.in_stock_only, (v) => (v ? (r.guarantee.in_stock_only = true) : delete r.guarantee.in_stock_only), { type: 'checkbox' }),
      field(i, 'Brand kept off…', 'guarantee.brand', r.guarantee.brand, (v) => (v ? (r.guarantee.brand = v) : delete r.guarantee.brand)),
      field(i, '…the pages of brand', 'guarantee.never_on_brand', r.guarantee.never_on_brand, (v) => (v ? (r.guarantee.never_on_brand = v) : delete r.guarantee.never_on_brand)),
    );
  }
  if (t === 'hero') {
    const h = r.hero;
    const copy = el('div', { class: 'hero-live', 'aria-live': 'polite' });
    const show = () => copy.replaceChildren(el('p', { class: 'headline', text: h.headline || '(the page\'s own headline)' }), h.sub ? el('p', { text: h.sub }) : '', h.cta?.text ? el('p', { class: 'cta', text: h.cta.text }) : '');
    form.append(
      field(i, 'Variant', 'hero.variant', h.variant, (v) => (h.variant = v)),
      field(i, 'Headline', 'hero.headline', h.headline, (v) => (h.headline = v || undefined), { after: show }),
      field(i, 'Sub-copy', 'hero.sub', h.sub, (v) => (h.sub = v || undefined), { after: show }),
      field(i, 'CTA text', 'hero.cta.text', h.cta?.text, (v) => ((h.cta ??= {}).text = v || undefined), { after: show }),
      field(i, 'CTA link', 'hero.cta.href', h.cta?.href, (v) => ((h.cta ??= {}).href = v || undefined)),
      copy,
    );
    show();
  }
  if (t === 'image') form.append(field(i, 'Preferred image roles, in order', 'image.prefer', csv(r.image.prefer), (v) => (r.image.prefer = list(v))));
  form.append(el('button', { type: 'button', onclick: () => { form.hidden = true; runPreview(); }, text: 'Done' }));
  showProblems();
  form.querySelector('input')?.focus();
}

// --- Push, conflicts, rebase ---------------------------------------------------------------------

function ruleChanges(from, to) {
  const a = new Map((from.rules ?? []).map((r) => [r.id, r]));
  const b = new Map((to.rules ?? []).map((r) => [r.id, r]));
  return {
    added: [...b.keys()].filter((id) => !a.has(id)).map((id) => b.get(id)),
    removed: [...a.keys()].filter((id) => !b.has(id)),
    changed: [...b.keys()].filter((id) => a.has(id) && !same(a.get(id), b.get(id))).map((id) => b.get(id)),
  };
}

$('push').addEventListener('click', async () => {
  const note = $('note').value.trim();
  const author = $('author').value.trim();
  localStorage.setItem('vitrine-author', author);
  const headers = { 'x-vitrine-note': encodeURIComponent(note), 'x-vitrine-author': encodeURIComponent(author) };
  if (state.base?.version) headers['if-match'] = `"${state.base.version}"`;
  const text = JSON.stringify(state.draft, null, 2);
  const r = await api('PUT', '/__vitrine/config', text, headers);
  const out = $('push-result');
  if (r.status === 201 || r.status === 200) {
    state.live = { version: r.json.version, doc: clone(state.draft) };
    state.base = clone(state.live);
    out.textContent = r.status === 201 ? `Pushed: version ${r.json.version} is live.` : `Unchanged: version ${r.json.version} is already live.`;
    $('note').value = '';
    draftChanged();
  } else if (r.status === 412) {
    out.replaceChildren(`Someone else pushed version ${r.json.active} after you started from ${state.base.version}. `,
      el('button', { type: 'button', id: 'rebase', onclick: rebase, text: 'Rebase my changes onto it' }));
  } else {
    out.textContent = `Not pushed (${r.status}): ${r.json?.error ?? r.text} ${(r.json?.errors ?? []).map((p) => `${p.path}: ${p.message}`).join('; ')}`;
  }
});

async function rebase() {
  const r = await api('GET', '/__vitrine/config');
  const theirs = { version: r.etag, doc: r.json };
  const mine = ruleChanges(state.base.doc, state.draft);
  const next = clone(theirs.doc);
  next.rules = (next.rules ?? []).filter((x) => !mine.removed.includes(x.id));
  for (const x of [...mine.changed, ...mine.added]) {
    const at = next.rules.findIndex((y) => y.id === x.id);
    if (at >= 0) next.rules[at] = x;
    else next.rules.push(x);
  }
  state.live = theirs;
  state.base = clone(theirs);
  state.draft = next;
  $('push-result').textContent = `Rebased onto ${theirs.version}: your ${mine.added.length} added, ${mine.changed.length} changed and ${mine.removed.length} removed rules kept. Review, then push.`;
  draftChanged();
  runPreview();
}

// --- History -------------------------------------------------------------------------------------

async function loadHistory() {
  const r = await api('GET', '/__vitrine/config/versions');
  if (r.status !== 200) return;
  const body = $('history-list');
  body.replaceChildren();
  for (const e of [...r.json.history].reverse()) {
    body.append(el('tr', { class: e.version === r.json.active ? 'active' : '' },
      el('td', {}, el('input', { type: 'checkbox', class: 'pick', value: e.version, 'aria-label': `compare ${e.version}` })),
      el('td', { text: new Date(e.at * 1000).toLocaleString() }),
      el('td', { text: e.action }),
      el('td', {}, el('code', { text: e.version }), e.version === r.json.active ? ' (live)' : ''),
      el('td', { text: e.author ?? '' }),
      el('td', { text: e.note ?? '' }),
      el('td', {}, e.version === r.json.active ? '' : el('button', { type: 'button', class: 'rollback', onclick: () => rollback(e.version, r.json.active), text: 'Roll back to this' }))));
  }
}

async function rollback(version, active) {
  const r = await api('POST', '/__vitrine/config/rollback', { version }, {
    'if-match': `"${active}"`, 'x-vitrine-author': encodeURIComponent($('author').value.trim()), 'x-vitrine-note': encodeURIComponent(`rollback to ${version}`),
  });
  $('diff').textContent = r.status === 200 ? `Rolled back: ${version} is live.` : r.status === 412 ? 'Someone else changed the live version meanwhile: reload the history and try again.' : `Rollback failed: ${r.json?.error ?? r.status}`;
  if (r.status === 200) {
    const live = await api('GET', '/__vitrine/config');
    state.live = { version: live.etag, doc: live.json };
    state.base = clone(state.live);
    state.draft = clone(live.json);
    draftChanged();
  }
  loadHistory();
}

function flat(v, prefix = '', out = {}) {
  if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) flat(x, prefix ? `${prefix}.${k}` : k, out);
  else out[prefix] = JSON.stringify(v);
  return out;
}

$('compare').addEventListener('click', async () => {
  const picked = [...document.querySelectorAll('.pick:checked')].map((c) => c.value);
  if (picked.length !== 2) {
    $('diff').textContent = 'Pick exactly two versions.';
    return;
  }
  const [newer, older] = picked; // the list is newest first
  const [a, b] = await Promise.all([older, newer].map((v) => api('GET', `/__vitrine/config/versions/${v}`)));
  const d = ruleChanges(a.json, b.json);
  const before = new Map((a.json.rules ?? []).map((r) => [r.id, r]));
  $('diff').replaceChildren(el('h3', { text: `Rules from ${older} to ${newer}` }),
    el('ul', { class: 'diff' },
      d.added.map((r) => el('li', { class: 'added' }, `added `, el('code', { text: r.id }), ` ${JSON.stringify(r)}`)),
      d.removed.map((id) => el('li', { class: 'removed' }, `removed `, el('code', { text: id }))),
      d.changed.map((r) => {
        const x = flat(before.get(r.id));
        const y = flat(r);
        const fields = [...new Set([...Object.keys(x), ...Object.keys(y)])].filter((k) => x[k] !== y[k]);
        return el('li', { class: 'changed' }, `changed `, el('code', { text: r.id }), `: ${fields.map((k) => `${k} ${x[k] ?? '—'} → ${y[k] ?? '—'}`).join(', ')}`);
      }),
      d.added.length + d.removed.length + d.changed.length ? [] : el('li', { text: 'no rule changed' })));
});

// --- Shadow --------------------------------------------------------------------------------------

$('shadow-load').addEventListener('click', async () => {
  const out = $('shadow-list');
  let summary;
  try {
    summary = await (await fetch($('collector').value, { headers: { accept: 'application/json' } })).json();
  } catch (e) {
    out.textContent = `The collector did not answer: ${e.message}`;
    return;
  }
  const shadowRules = (state.draft.rules ?? []).filter((r) => statusOf(r) === 'shadow').map((r) => r.id);
  const seen = new Map(summary.rules.map((r) => [r.rule, r]));
  out.replaceChildren(el('p', { text: `${summary.listing_views} listing views recorded.` }), el('ul', {}, [...new Set([...shadowRules, ...seen.keys()])].map((id) => {
    const r = seen.get(id);
    if (!r) return el('li', {}, el('code', { text: id }), ' changed no page view so far.');
    const share = summary.listing_views ? ` (${Math.round((100 * r.changed) / summary.listing_views)}%)` : '';
    return el('li', {}, el('code', { text: id }), ` would have changed ${r.changed} page views${share} on ${r.paths} pages; e.g. ${r.example.path}: live ${r.example.live.join(' ')} → shadow ${r.example.shadow.join(' ')}`);
  })));
});

// --- Report --------------------------------------------------------------------------------------

const SVG = 'http://www.w3.org/2000/svg';
const svg = (tag, attrs = {}, ...children) => {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children.flat()) if (c) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
};
const pct = (x) => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`);
const fmt = (x) => (x === null || x === undefined ? '–' : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(3));

/** Lift over time with its interval as a band, and the zero line. */
function liftPlot(points, metric) {
  const W = 520, H = 200, P = 36;
  const pts = points.filter((p) => p[metric]);
  const plot = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'plot', role: 'img', 'aria-label': `${metric} lift over time` });
  if (pts.length < 2) {
    plot.append(svg('text', { x: P, y: H / 2 }, 'not enough data yet for a lift over time'));
    return plot;
  }
  const lo = Math.min(0, ...pts.map((p) => p[metric].low));
  const hi = Math.max(0, ...pts.map((p) => p[metric].high));
  const x = (i) => P + ((W - 2 * P) * i) / (pts.length - 1);
  const y = (v) => H - P - ((H - 2 * P) * (v - lo)) / (hi - lo || 1);
  const band = pts.map((p, i) => `${x(i)},${y(p[metric].high)}`).concat(pts.map((p, i) => `${x(pts.length - 1 - i)},${y(pts[pts.length - 1 - i][metric].low)}`).slice(0)).join(' ');
  plot.append(
    svg('polygon', { points: band, class: 'band' }),
    svg('line', { x1: P, x2: W - P, y1: y(0), y2: y(0), class: 'zero' }),
    svg('polyline', { points: pts.map((p, i) => `${x(i)},${y(p[metric].lift)}`).join(' '), class: 'line' }),
    svg('text', { x: 4, y: y(hi) + 4 }, pct(hi)),
    svg('text', { x: 4, y: y(lo) }, pct(lo)),
    svg('text', { x: W - P, y: H - 8, 'text-anchor': 'end' }, 'cumulative, oldest → newest'),
  );
  return plot;
}

/** Control and treatment side by side, each with its 95% interval. */
function armsPlot(metrics) {
  const names = Object.keys(metrics).filter((k) => metrics[k].control && metrics[k].treatment);
  const W = 520, row = 34, H = names.length * row + 30, P = 170;
  const plot = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'plot', role: 'img', 'aria-label': 'arms side by side' });
  names.forEach((name, i) => {
    const m = metrics[name];
    const max = Math.max(m.control.value + 1.96 * m.control.se, m.treatment.value + 1.96 * m.treatment.se) || 1;
    const w = (v) => ((W - P - 20) * v) / max;
    const y0 = 20 + i * row;
    plot.append(svg('text', { x: 4, y: y0 + 14 }, name.replaceAll('_', ' ')));
    for (const [k, arm, dy] of [['control', 'c', 0], ['treatment', 't', 13]]) {
      const v = m[k];
      plot.append(
        svg('rect', { x: P, y: y0 + dy, width: Math.max(1, w(v.value)), height: 11, class: `bar ${arm}` }, svg('title', {}, `${k}: ${fmt(v.value)} ± ${fmt(1.96 * v.se)}`)),
        svg('line', { x1: P + w(Math.max(0, v.value - 1.96 * v.se)), x2: P + w(v.value + 1.96 * v.se), y1: y0 + dy + 5.5, y2: y0 + dy + 5.5, class: 'err' }),
      );
    }
  });
  plot.append(svg('text', { x: P, y: 12, class: 'legend' }, 'control (grey) · treatment (blue) · 95% intervals'));
  return plot;
}

/** The funnel per arm: listing views → add-to-carts from listings → orders. */
function funnelPlot(funnel) {
  const arms = Object.keys(funnel);
  const steps = [['listing_views', 'listing views'], ['add_to_carts', 'add to cart'], ['orders', 'orders']];
  const W = 520, H = 60 + arms.length * 60, P = 110;
  const plot = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'plot', role: 'img', 'aria-label': 'funnel per arm' });
  arms.forEach((arm, a) => {
    const f = funnel[arm];
    const top = f.listing_views || 1;
    plot.append(svg('text', { x: 4, y: 30 + a * 60 }, `${arm} (${f.visitors})`));
    steps.forEach(([k, label], i) => {
      const w = ((W - P - 10) / 3 - 8) * (f[k] / top);
      const x0 = P + i * ((W - P - 10) / 3);
      plot.append(svg('rect', { x: x0, y: 18 + a * 60, width: Math.max(1, w), height: 18, class: `bar ${arm === 'control' ? 'c' : 't'}` }), svg('text', { x: x0, y: 50 + a * 60 }, `${label}: ${f[k]}`));
    });
  });
  return plot;
}

$('report-load').addEventListener('click', async () => {
  const q = `?experiment=${encodeURIComponent($('report-exp').value)}&share=${encodeURIComponent($('report-share').value)}`;
  const url = `${$('report-url').value}${q}`;
  $('report-json').href = url;
  $('report-csv').href = `${url}&format=csv`;
  let r;
  try {
    r = await (await fetch(url, { headers: { accept: 'application/json' } })).json();
  } catch (e) {
    $('report-status').textContent = `The collector did not answer: ${e.message}`;
    return;
  }
  const v = r.verdict;
  $('report-status').textContent = `${r.experiment}: ${Object.entries(v.visitors).map(([k, n]) => `${k} ${n}`).join(', ')} visitors over ${(r.running_ms / 3600000).toFixed(1)} h; sample ratio ${v.srm.mismatch ? `MISMATCH (p=${v.srm.p.toExponential(1)}): the split is broken, do not read the metrics` : `as configured (p=${v.srm.p.toFixed(2)})`}${v.note ? `; ${v.note}` : ''}`;
  const rows = Object.entries(v.metrics).map(([name, m]) => el('tr', {},
    el('th', { text: name.replaceAll('_', ' ') }), el('td', { text: fmt(m.control?.value) }), el('td', { text: fmt(m.treatment?.value) }),
    el('td', { class: m.lift?.significant ? (m.lift.lift > 0 ? 'up' : 'down') : '', text: m.lift ? `${pct(m.lift.lift)} [${pct(m.lift.low)}, ${pct(m.lift.high)}]${m.lift.significant ? ' significant' : ''}` : 'not enough data' })));
  $('report').replaceChildren(
    el('table', { class: 'metrics' }, el('thead', {}, el('tr', {}, el('th', { text: 'metric' }), el('th', { text: 'control' }), el('th', { text: 'treatment' }), el('th', { text: 'lift [95% interval]' }))), el('tbody', {}, rows)),
    el('div', { class: 'plots' },
      el('figure', {}, el('figcaption', { text: 'Revenue per session: lift over time' }), liftPlot(r.over_time, 'revenue_per_session')),
      el('figure', {}, el('figcaption', { text: 'Listing add-to-cart rate: lift over time' }), liftPlot(r.over_time, 'plp_add_to_cart_rate')),
      el('figure', {}, el('figcaption', { text: 'Arms side by side' }), armsPlot(v.metrics)),
      el('figure', {}, el('figcaption', { text: 'Funnel' }), funnelPlot(r.funnel))),
    el('h3', { text: 'By page type: pages served, changed by vitrine, rules fired' }),
    el('table', { class: 'pages' },
      el('thead', {}, el('tr', {}, ['arm', 'page', 'pages', 'changed', 'rules fired (pages)'].map((h) => el('th', { text: h })))),
      el('tbody', {}, Object.entries(r.pages ?? {}).flatMap(([arm, byPage]) => Object.entries(byPage).map(([pg, x]) => el('tr', {},
        el('td', { text: arm }), el('td', { text: pg }), el('td', { text: x.views }), el('td', { text: x.changed }),
        el('td', { text: Object.entries(x.rules).map(([rule, n]) => `${rule} ${n}`).join(', ') })))))));
});

if (state.token) signIn(state.token);
