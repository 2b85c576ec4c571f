// Product and hero pictures, drawn as small SVGs from the catalog (no external network, no
// binary assets in the repo). Each product has three roles that look different on purpose, so a
// first-image swap is visible: packshot (the product on white), lifestyle (a scene), detail (close-up).

const shapes = {
  shoes: '<path d="M40 150 q10 -50 55 -55 l20 25 q40 5 70 20 q20 10 15 30 z" />',
  outerwear: '<path d="M75 40 l50 0 l35 25 l-10 30 l-15 -8 l0 83 l-70 0 l0 -83 l-15 8 l-10 -30 z" />',
  knitwear: '<path d="M70 45 l60 0 l40 30 l-12 25 l-18 -10 l0 80 l-80 0 l0 -80 l-18 10 l-12 -25 z" />',
  bags: '<path d="M55 80 l90 0 l10 95 l-110 0 z" /><path d="M75 80 q25 -55 50 0" fill="none" stroke-width="8" />',
  accessories: '<circle cx="100" cy="110" r="48" /><rect x="88" y="40" width="24" height="140" rx="6" />',
};

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

export function renderSvg(name, bySku, catalog) {
  const hero = name.match(/^hero-([a-z]+)$/);
  if (hero) return heroSvg(hero[1], catalog);
  const m = name.match(/^(vt-\d{4})-(packshot|lifestyle|detail)$/);
  if (!m) return null;
  const p = bySku.get(m[1].toUpperCase());
  if (!p) return null;
  const shape = shapes[p.category] ?? shapes.accessories;
  const label = `<text x="100" y="192" font-family="sans-serif" font-size="9" text-anchor="middle" fill="#555">${esc(p.brand)} · ${m[2]}</text>`;
  let body;
  if (m[2] === 'packshot') {
    body = `<rect width="200" height="200" fill="#f6f5f2"/><g fill="${p.hex}" stroke="${p.hex}">${shape}</g>${label}`;
  } else if (m[2] === 'lifestyle') {
    body = `<defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#bcd3e6"/><stop offset="1" stop-color="#e9dcc4"/></linearGradient></defs>
<rect width="200" height="200" fill="url(#g)"/><circle cx="160" cy="40" r="18" fill="#f7d77a"/><rect y="150" width="200" height="50" fill="#8fa77a"/>
<g fill="${p.hex}" stroke="${p.hex}" transform="translate(30 30) scale(0.7)">${shape}</g>${label}`;
  } else {
    body = `<defs><pattern id="d" width="12" height="12" patternUnits="userSpaceOnUse"><path d="M0 12 L12 0" stroke="#fff" stroke-opacity="0.35" stroke-width="3"/></pattern></defs>
<rect width="200" height="200" fill="${p.hex}"/><rect width="200" height="200" fill="url(#d)"/><circle cx="100" cy="100" r="40" fill="none" stroke="#fff" stroke-width="3" stroke-dasharray="6 5"/>${label}`;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" width="200" height="200" role="img" aria-label="${esc(p.title)}">${body}</svg>\n`;
}

function heroSvg(key, catalog) {
  const palette = { home: ['#2d3a4a', '#c9a66b'], shoes: ['#3b2f2a', '#d9a441'], outerwear: ['#1d2e5a', '#8fb3d9'], knitwear: ['#6e1f2f', '#e6c9a8'], bags: ['#2f5d46', '#e9dcc4'], accessories: ['#58646f', '#f0c987'] };
  const colours = palette[key];
  if (!colours || (key !== 'home' && !catalog.categories.some((c) => c.key === key))) return null;
  const [a, b] = colours;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1200 360" width="1200" height="360" role="img" aria-label="${esc(key)}">
<defs><linearGradient id="h" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${a}"/><stop offset="1" stop-color="${b}"/></linearGradient></defs>
<rect width="1200" height="360" fill="url(#h)"/>
<g fill="#ffffff" fill-opacity="0.12"><circle cx="980" cy="80" r="160"/><circle cx="1100" cy="300" r="120"/><rect x="700" y="200" width="220" height="220" rx="30" transform="rotate(12 810 310)"/></g>
</svg>\n`;
}
