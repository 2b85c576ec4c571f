// `npm run config -- init <url|file> [out.json] [--path /as/served]`: a starter config proposed
// from one page of a store. It parses the page (htmlparser2), finds the product grid (repeated
// sibling elements, each with a product link and an image, often a price), the product key (an
// attribute on the tile, a link pattern, or an attribute inside the tile), the hero headline, and
// on a product page its facts (JSON-LD) and gallery. The result is a config to read and edit, not
// a guess to push blind: `validate` and `preview` it against the same page next.
//
// Everything here proposes selectors for the markup it sees; nothing names a platform.
import { parseDocument } from 'htmlparser2';

const SAFE_NAME = /^-?[A-Za-z_][A-Za-z0-9_-]*$/;
const PRICE = /(?:[$€£¥₹]|\b(?:USD|EUR|GBP|CAD|AUD)\b)\s?\d|\d[\d.,]*\s?(?:[$€£¥₹]|\b(?:USD|EUR|GBP|CAD|AUD|kr|zł)\b)/;
const CHROME = /(^|[-_ ])(nav|menu|footer|header|breadcrumb|pagination|social|cookie|banner|mega)([-_ ]|$)/i;
const KEYISH = /sku|product|item|(^|[-_])id($|[-_])/i;
const SKIP_ATTRS = new Set(['class', 'style', 'href', 'src', 'srcset', 'title', 'alt', 'role', 'tabindex', 'width', 'height', 'loading', 'sizes', 'type', 'rel', 'target', 'name', 'value', 'for']);

const isEl = (n) => n.type === 'tag' || n.type === 'script' || n.type === 'style';
const kids = (el) => (el.children ?? []).filter(isEl);
const cls = (el) => (el.attribs?.class ?? '').split(/\s+/).filter((c) => c && SAFE_NAME.test(c));
function* walk(node) {
  for (const c of node.children ?? []) {
    if (!isEl(c)) continue;
    yield c;
    yield* walk(c);
  }
}
const text = (el) => {
  let s = '';
  const go = (n) => {
    if (n.type === 'text') s += n.data;
    else if (n.type === 'tag') (n.children ?? []).forEach(go);
  };
  go(el);
  return s.replace(/\s+/g, ' ').trim();
};
const ancestors = (el) => {
  const out = [];
  for (let p = el.parent; p && p.type !== 'root'; p = p.parent) out.push(p);
  return out;
};

// --- A small selector engine for the selectors this tool writes: compounds of tag, #id, .class,
// [attr] and [attr=value], joined by ' ' or ' > '. Used to count what a proposal matches.
function parseCompound(s) {
  const c = { tag: null, id: null, classes: [], attrs: [] };
  const re = /^([a-zA-Z][a-zA-Z0-9-]*)|#([A-Za-z0-9_-]+)|\.([A-Za-z0-9_-]+)|\[([^\]=]+)(?:=["']?([^"'\]]*)["']?)?\]/g;
  let m;
  while ((m = re.exec(s))) {
    if (m[1]) c.tag = m[1].toLowerCase();
    else if (m[2]) c.id = m[2];
    else if (m[3]) c.classes.push(m[3]);
    else c.attrs.push([m[4], m[5]]);
  }
  return c;
}
function matchesCompound(el, c) {
  if (c.tag && el.name !== c.tag) return false;
  if (c.id && el.attribs?.id !== c.id) return false;
  const have = cls(el);
  if (!c.classes.every((k) => have.includes(k))) return false;
  return c.attrs.every(([a, v]) => el.attribs?.[a] !== undefined && (v === undefined || el.attribs[a] === v));
}
function matches(el, selector) {
  const parts = selector.split(/\s*(>)\s*|\s+/).filter((p) => p !== undefined && p !== '');
  // parts: compound (sep compound)*, sep '>' or implicit descendant
  const chain = [];
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] === '>') chain[chain.length - 1].child = true;
    else chain.push({ c: parseCompound(parts[i]), child: false });
  }
  const at = (node, i) => {
    if (!matchesCompound(node, chain[i].c)) return false;
    if (i === 0) return true;
    if (chain[i - 1].child) return node.parent?.type === 'tag' && at(node.parent, i - 1);
    return ancestors(node).some((a) => a.type === 'tag' && at(a, i - 1));
  };
  return at(el, chain.length - 1);
}
const count = (doc, selector) => [...walk(doc)].filter((el) => matches(el, selector)).length;

// --- The grid ------------------------------------------------------------------------------

const IMAGE_FILE = /\.(jpe?g|png|webp|avif|gif|svg)(\?|#|$)/i;
/** Whether a link goes to a page (not an anchor, a script, a mail address or an image file). */
const pageLink = (h) => h && !h.startsWith('#') && !/^(javascript|mailto|tel|data):/i.test(h) && !IMAGE_FILE.test(h);
/** The first link in a tile that goes to a page (the tile itself when it is the link). */
function productLink(tile) {
  if (tile.name === 'a' && pageLink(tile.attribs.href)) return tile;
  for (const el of walk(tile)) {
    if (el.name === 'a' && pageLink(el.attribs.href)) return el;
  }
  return null;
}
const hasImage = (tile) =>
  [tile, ...walk(tile)].some((el) => el.name === 'img' || el.name === 'picture' || el.attribs?.['data-src'] || el.attribs?.['data-bgset']);

/** Groups of a parent's children that look alike: same tag and a shared class (or no class). */
function siblingGroups(parent) {
  const children = kids(parent).filter((c) => c.type === 'tag');
  const groups = new Map();
  for (const c of children) {
    const cs = cls(c);
    const keys = cs.length ? cs.map((k) => `${c.name}.${k}`) : [c.name];
    for (const k of keys) {
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(c);
    }
  }
  return [...groups.entries()].map(([sig, members]) => ({ sig, members, parent, siblings: children.length }));
}

function scoreGroup(g, pageUrl) {
  const n = g.members.length;
  if (n < 3) return 0;
  const links = g.members.map(productLink);
  const withLink = links.filter(Boolean).length / n;
  const withImage = g.members.filter(hasImage).length / n;
  const withPrice = g.members.filter((t) => PRICE.test(text(t))).length / n;
  const hrefs = links.filter(Boolean).map((a) => resolve(a.attribs.href, pageUrl));
  const distinct = new Set(hrefs).size / n;
  if (withLink < 0.6 || withImage < 0.5) return 0;
  // Menus, footers and carousels of logos repeat too: their ancestors usually say so.
  const chrome = [g.parent, ...ancestors(g.parent)].some(
    (a) => ['nav', 'header', 'footer'].includes(a.name) || CHROME.test(a.attribs?.class ?? '') || CHROME.test(a.attribs?.id ?? ''),
  );
  const share = n / Math.max(1, g.siblings); // the group is (most of) the container's children
  return n * (withLink + withImage + 1.5 * withPrice) * distinct * (0.5 + share) * (chrome ? 0.2 : 1);
}

function resolve(href, pageUrl) {
  try {
    return new URL(href.replaceAll('&amp;', '&'), pageUrl).pathname;
  } catch {
    return href;
  }
}

/** A selector for `el`, as unique in the page as its own names allow. */
function selectorFor(doc, el) {
  const tag = el.name;
  const byClass = cls(el)
    .map((c) => `${tag}.${c}`)
    .map((s) => [s, count(doc, s)])
    .sort((a, b) => a[1] - b[1]);
  if (byClass.length && byClass[0][1] === 1) return byClass[0][0];
  const id = el.attribs.id;
  if (id && SAFE_NAME.test(id) && !/\d{3,}/.test(id)) return `#${id}`;
  if (byClass.length) {
    // Not unique by its own class: add its parent (tiles of another grid may share the name).
    const parent = el.parent?.type === 'tag' ? el.parent : null;
    if (parent) {
      const up = cls(parent).map((c) => `${parent.name}.${c} > ${byClass[0][0]}`);
      if (parent.attribs.id && SAFE_NAME.test(parent.attribs.id)) up.unshift(`#${parent.attribs.id} > ${byClass[0][0]}`);
      const unique = up.find((s) => count(doc, s) === 1);
      if (unique) return unique;
    }
    return byClass[0][0];
  }
  if (id && SAFE_NAME.test(id)) return `#${id}`;
  return tag;
}

/** The tile selector (relative to the container): tag and the class every tile shares. */
function tileSelector(group) {
  const [tag, cls0] = group.sig.split('.');
  if (!cls0) return tag;
  const shared = cls(group.members[0]).filter((c) => group.members.every((m) => cls(m).includes(c)));
  const best = shared.find((c) => /product/i.test(c)) ?? shared.find((c) => /item|card|tile/i.test(c)) ?? cls0;
  return `${tag}.${best}`;
}

/** The product key: an id-like attribute on the tile, a link pattern, or an attribute inside. */
function keyFor(group, pageUrl, pageValues) {
  const tiles = group.members;
  const n = tiles.length;
  const distinctValues = (values) => values.every((v) => v && v.trim()) && new Set(values).size === n;
  const positional = (values) => values.every((v, i) => v === String(i) || v === String(i + 1));
  const own = Object.keys(tiles[0].attribs)
    .filter((a) => !SKIP_ATTRS.has(a) && !a.startsWith('aria-') && SAFE_NAME.test(a))
    .filter((a) => {
      const vs = tiles.map((t) => t.attribs[a]);
      return distinctValues(vs) && !positional(vs);
    });
  const ownKey = own.find((a) => KEYISH.test(a) && !/position|index/i.test(a));
  if (ownKey) return { key: { attribute: ownKey }, how: `the tile's ${ownKey} attribute`, keys: tiles.map((t) => t.attribs[ownKey]) };
  const link = linkPattern(tiles, pageUrl, pageValues);
  if (link) return link;
  const inner = innerAttribute(tiles);
  if (inner) return inner;
  if (own.length) return { key: { attribute: own[0] }, how: `the tile's ${own[0]} attribute`, keys: tiles.map((t) => t.attribs[own[0]]) };
  return null;
}

function linkPattern(tiles, pageUrl, pageValues = []) {
  const links = tiles.map(productLink);
  if (links.some((l) => !l)) return null;
  const paths = links.map((a) => resolve(a.attribs.href, pageUrl));
  if (new Set(paths).size !== tiles.length) return null;
  const segs = paths.map((p) => p.split('/').filter(Boolean));
  const len = segs[0].length;
  if (!len || segs.some((s) => s.length !== len)) return null;
  const varying = [...Array(len).keys()].filter((i) => new Set(segs.map((s) => s[i])).size > 1);
  if (!varying.length) return null;
  const last = varying[varying.length - 1];
  const common = (values, fromEnd) => {
    let k = 0;
    const at = (v, i) => (fromEnd ? v[v.length - 1 - i] : v[i]);
    while (values.every((v) => k < v.length && at(v, k) === at(values[0], k))) k++;
    return k;
  };
  const vals = segs.map((s) => s[last]);
  // A literal suffix such as `.html` stays literal; a shared prefix too, when it ends in - or _.
  // A literal extension (`.html`) stays literal; any other shared part is the products' own.
  const suffixLen = Math.min(common(vals, true), ...vals.map((v) => v.length - 1));
  const tail = vals[0].slice(vals[0].length - suffixLen);
  const suffix = tail.match(/\.[A-Za-z0-9]+$/)?.[0] ?? '';
  // A segment naming this page's own category (`/collections/boots/products/x`) is any
  // category's on the next page: `*`.
  const pattern =
    '/' +
    segs[0]
      .map((s, i) => (i === last ? `{product}${suffix}` : varying.includes(i) || pageValues.includes(s) ? '*' : s))
      .join('/') +
    (paths[0].endsWith('/') ? '/' : '');
  const keys = vals.map((v) => v.slice(0, v.length - suffix.length));
  if (tiles[0].name === 'a' && links[0] === tiles[0]) {
    return { key: { pattern }, how: `the tile's own link, ${pattern}`, keys };
  }
  // The link selector: `a` with a class every tile's product link has, if any.
  const shared = cls(links[0]).filter((c) => links.every((l) => cls(l).includes(c)));
  const link = shared.length ? `a.${shared.find((c) => /product|link|title|image/i.test(c)) ?? shared[0]}` : 'a';
  return { key: { link, pattern }, how: `links ${link} matching ${pattern}`, keys };
}

function innerAttribute(tiles) {
  const per = tiles.map((t) => {
    const m = new Map();
    for (const el of walk(t)) {
      for (const [a, v] of Object.entries(el.attribs ?? {})) {
        if (SKIP_ATTRS.has(a) || !KEYISH.test(a) || !SAFE_NAME.test(a) || !v.trim() || m.has(a)) continue;
        m.set(a, v.trim());
      }
    }
    return m;
  });
  const names = [...per[0].keys()].filter((a) => per.every((m) => m.has(a)) && new Set(per.map((m) => m.get(a))).size === tiles.length);
  const name = names.find((a) => /sku|product/i.test(a)) ?? names[0];
  if (!name) return null;
  return { key: { selector: `[${name}]`, attribute: name }, how: `the ${name} attribute inside each tile`, keys: per.map((m) => m.get(name)) };
}

/**
 * What belongs to the slot, not the product: class tokens only some tiles have that name a place
 * in the row (`first`, `last`, `odd`), and attributes of the tile whose values count the tiles
 * (1, 2, 3…).
 */
function slotFor(group) {
  const tiles = group.members;
  const n = tiles.length;
  const classes = [...new Set(tiles.flatMap(cls))].filter(
    (c) => /^(first|last|odd|even|alt|row-(start|end)|col-\d+|is-(first|last))$/i.test(c) && tiles.some((t) => !cls(t).includes(c)),
  );
  const attributes = Object.keys(tiles[0].attribs).filter((a) => {
    const vs = tiles.map((t) => t.attribs[a]);
    return vs.every((v, i) => v === String(i) || v === String(i + 1)) && n > 1;
  });
  const slot = {};
  if (classes.length) slot.classes = classes;
  if (attributes.length) slot.attributes = attributes;
  return Object.keys(slot).length ? slot : null;
}

/** Facts a tile shows as text: a price, a brand (by the class names stores give them). */
function factsFor(group) {
  const facts = {};
  for (const [fact, re] of [['price', /price/i], ['brand', /brand|vendor|manufacturer/i]]) {
    const els = group.members.map((t) => [...walk(t)].find((el) => cls(el).some((c) => re.test(c)) && text(el)));
    if (els.every(Boolean)) {
      const shared = cls(els[0]).filter((c) => re.test(c) && els.every((e) => cls(e).includes(c)));
      if (shared.length) facts[fact] = { selector: `.${shared[0]}` };
    }
  }
  return facts;
}

// --- Hero, product facts, gallery ------------------------------------------------------------

function heroFor(doc, before) {
  const order = [...walk(doc)];
  const limit = before ? order.indexOf(before) : order.length;
  const h1s = order.filter((el, i) => el.name === 'h1' && i < limit && text(el) && !ancestors(el).some((a) => a.name === 'a'));
  const h1 = h1s[h1s.length - 1];
  if (!h1) return null;
  const container = ancestors(h1).find((a) => a.type === 'tag' && cls(a).length && !['body', 'html'].includes(a.name));
  if (!container) return null;
  const hero = { container: selectorFor(doc, container), headline: 'h1' };
  const desc = [...walk(container)].find((el) => el !== h1 && cls(el).some((c) => /description|intro|subtitle|lead/i.test(c)) && text(el));
  if (desc) hero.sub = `.${cls(desc).find((c) => /description|intro|subtitle|lead/i.test(c))}`;
  return hero;
}

function jsonLdTypes(doc) {
  const types = new Set();
  const visit = (v) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      [v['@type']].flat().forEach((t) => t && types.add(t));
      if (v['@graph']) visit(v['@graph']);
    }
  };
  for (const el of walk(doc)) {
    if (el.name === 'script' && /ld\+json/i.test(el.attribs.type ?? '')) {
      try {
        visit(JSON.parse(text({ type: 'tag', children: el.children })));
      } catch {
        // not JSON: nothing to learn from it
      }
    }
  }
  return types;
}

function galleryFor(doc, pageUrl) {
  let best = null;
  for (const parent of walk(doc)) {
    for (const g of siblingGroups(parent)) {
      const n = g.members.length;
      if (n < 2 || !g.members.every(hasImage)) continue;
      const names = (e) => `${e.attribs.class ?? ''} ${e.attribs.id ?? ''}`;
      const named = [g.parent, ...g.members.slice(0, 1)].some((e) => /gallery|media|photo|image|slide|thumb/i.test(names(e)));
      // Variant pickers show images too (swatches): not the gallery.
      const picker =
        [g.parent, ...ancestors(g.parent)].some((a) => ['form', 'fieldset'].includes(a.name)) ||
        [g.parent, g.members[0]].some((e) => /swatch|variant|option/i.test(names(e)));
      const linksElsewhere = g.members.filter((m) => {
        const l = productLink(m);
        return l && resolve(l.attribs.href, pageUrl) !== new URL(pageUrl).pathname;
      }).length;
      if (picker || linksElsewhere > n / 2) continue; // a grid of other products, not this one's images
      const score = n * (named ? 3 : 1);
      if (!best || score > best.score) best = { score, g };
    }
  }
  if (!best) return null;
  return { container: selectorFor(doc, best.g.parent), item: tileSelector(best.g) };
}

// --- The whole proposal ------------------------------------------------------------------------

/** A starter config for the page `html` served at `pageUrl`, and what was found, in words. */
export function propose(html, pageUrl) {
  const doc = parseDocument(html, { decodeEntities: true });
  const path = new URL(pageUrl).pathname;
  const notes = [];
  const types = jsonLdTypes(doc);
  // `og:type` product (not `product.group`, a listing's).
  const ogProduct = [...walk(doc)].some((el) => el.name === 'meta' && el.attribs.property === 'og:type' && (el.attribs.content ?? '').trim() === 'product');
  let best = null;
  for (const parent of walk(doc)) {
    for (const g of siblingGroups(parent)) {
      const score = scoreGroup(g, pageUrl);
      if (score > 0 && (!best || score > best.score)) best = { score, g };
    }
  }
  const segs = path.split('/').filter(Boolean);
  const categoryIndex = /^index\.[a-z]+$/i.test(segs[segs.length - 1] ?? '') && segs.length > 1 ? segs.length - 2 : segs.length - 1;
  const categoryValue = segs[categoryIndex]?.replace(/\.[a-z]+$/i, '');
  // The page's own path with its last name made the capture: `/c/boots` → `/c/{category}`,
  // `/collections/boots.html` → `/collections/{category}.html`, `/boots/index.html` →
  // `/{category}/index.html`.
  const pattern = (name) => {
    if (!segs.length) return '/';
    const i = /^index\.[a-z]+$/i.test(segs[segs.length - 1]) && segs.length > 1 ? segs.length - 2 : segs.length - 1;
    const ext = i === segs.length - 1 ? (segs[i].match(/(\.[a-z]+)$/i)?.[1] ?? '') : '';
    const out = segs.map((s, j) => (j === i ? `{${name}}${ext}` : s));
    return '/' + out.join('/') + (path.endsWith('/') ? '/' : '');
  };
  const isPdp = (types.has('Product') || types.has('ProductGroup') || ogProduct) && !(best && best.g.members.length >= 8);
  const config = { $schema: 'https://vitrine.dev/schema.json', version: 1, site: { pages: [], samples: [path] }, rules: [] };
  if (isPdp) {
    config.site.pages.push({ type: 'pdp', path: pattern('product') });
    config.site.pdp = { product_data: [{ source: 'json_ld' }] };
    notes.push(types.has('Product') ? 'product page: JSON-LD Product found (product_data: json_ld)' : 'product page (og:type product); no JSON-LD Product: add a product_data source');
    const gallery = galleryFor(doc, pageUrl);
    if (gallery) {
      config.site.pdp.gallery = gallery;
      notes.push(`gallery: ${gallery.container} > ${gallery.item}`);
    } else {
      notes.push('gallery: no repeated images in the markup (one image only, or a gallery rendered by script)');
    }
    return { config, notes };
  }
  const plpRule = { type: 'plp', path: pattern('category') };
  // A path whose first name is the capture (`/{category}.html`) would also match product pages:
  // the body's template class, if it has one, tells a listing apart.
  const bodyEl = [...walk(doc)].find((el) => el.name === 'body');
  // A class naming the template, not this very page (`catalog-category-view`, not
  // `categorypath-boots`).
  const template = cls(bodyEl ?? { attribs: {} })
    .filter((c) => !categoryValue || !c.includes(categoryValue))
    .find((c) => /categor|collection|archive|catalog|listing|plp/i.test(c));
  if (template && /^\/\{/.test(plpRule.path)) {
    plpRule.marker = `body.${template}`;
    notes.push(`page rule: ${plpRule.path}, told apart from product pages by ${plpRule.marker}`);
  }
  config.site.pages.push(plpRule);
  if (!best) {
    notes.push('no product grid found: no repeated elements with product links and images');
    return { config, notes };
  }
  const g = best.g;
  const container = selectorFor(doc, g.parent);
  const tile = tileSelector(g);
  const key = keyFor(g, pageUrl, categoryValue ? [categoryValue] : []);
  const grid = { name: 'listing', container, tile, key: key?.key ?? { attribute: 'data-product-id' } };
  const facts = factsFor(g);
  if (Object.keys(facts).length) grid.facts = facts;
  const slot = slotFor(g);
  if (slot) {
    grid.slot = slot;
    notes.push(`slot: ${[...(slot.classes ?? []), ...(slot.attributes ?? [])].join(', ')} stay in place when tiles move`);
  }
  config.site.plp = { grids: [grid] };
  notes.push(`grid: ${container} > ${tile} (${g.members.length} tiles)`);
  notes.push(key ? `key: ${key.how}, e.g. ${key.keys.slice(0, 3).map((k) => JSON.stringify(k)).join(', ')}` : 'key: none found; name one (key.attribute or key.link + pattern)');
  if (Object.keys(facts).length) notes.push(`facts from text: ${Object.keys(facts).join(', ')}`);
  const hero = heroFor(doc, g.parent);
  if (hero) {
    config.site.plp.hero = hero;
    notes.push(`hero: ${hero.container} (headline h1${hero.sub ? `, sub ${hero.sub}` : ''})`);
  }
  return { config, notes, keys: key?.keys ?? [] };
}
