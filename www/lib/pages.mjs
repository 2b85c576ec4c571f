// Server-rendered pages of the demo store. The markup is deliberately ordinary storefront markup
// (a product grid of tiles, a hero block, a PDP gallery, JSON-LD): vitrine finds all of it through
// selectors in its config, never through knowledge of this file.

export const esc = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
// JSON inside <script>: `<` escaped, so no catalog string can end the script element.
const jsonScript = (value) => JSON.stringify(value).replace(/</g, '\\u003c');
const money = (n) => `£${n.toFixed(2)}`;
const stockLabel = { in_stock: 'In stock', low_stock: 'Only a few left', out_of_stock: 'Out of stock' };

// Hero copy per category: what the merchandiser's default (unpersonalized) hero says.
const heroes = {
  shoes: ['Step into the season', 'Trainers, boots and loafers from fourteen independent makers.', 'Shop all shoes'],
  outerwear: ['Built for the weather', 'Parkas, puffers and rain shells that keep the cold out.', 'Shop outerwear'],
  knitwear: ['Knits worth keeping', 'Merino, cashmere and cable knits, made to be worn for years.', 'Shop knitwear'],
  bags: ['Carry it well', 'Backpacks, totes and weekenders for every kind of day.', 'Shop bags'],
  accessories: ['The finishing touch', 'Scarves, gloves, watches and the rest of the details.', 'Shop accessories'],
};

function layout(ctx, { title, body, description = 'Vitrine demo store', head = '' }) {
  // The bag count is filled in by app.js from /cart/count: pages carry nothing visitor-specific,
  // so the same HTML serves everyone and can be cached by URL (as on most real storefronts).
  const nav = ctx.catalog.categories.map((c) => `<li><a href="/c/${esc(c.key)}">${esc(c.name)}</a></li>`).join('');
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Fieldhouse</title>
<meta name="description" content="${esc(description)}">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/style.css">
${head}</head>
<body>
<header class="site-header">
  <a class="logo" href="/">Fieldhouse</a>
  <nav class="site-nav" aria-label="Categories"><ul>${nav}</ul></nav>
  <form class="site-search" action="/search" method="get" role="search">
    <input type="search" name="q" placeholder="Search the store" aria-label="Search">
  </form>
  <a class="site-account" href="/account">Account</a>
  <a class="site-cart" href="/cart">Bag <span class="site-cart__count" data-cart-count></span></a>
</header>
<main id="main">
${body}
</main>
<footer class="site-footer">
  <p>Fieldhouse is the demo storefront of vitrine, edge personalization for storefronts. Every product, brand and picture here is invented.</p>
  <p><a href="/sale">Winter sale</a> · <a href="/search?q=gift">Gift ideas</a> · Free returns within 30 days</p>
</footer>
<script src="/static/app.js" defer></script>
</body>
</html>
`;
}

export function tile(p) {
  const oos = p.stock === 'out_of_stock';
  return `<li class="product-tile${oos ? ' product-tile--oos' : ''}" data-sku="${esc(p.sku)}" data-brand="${esc(p.brand)}" data-category="${esc(p.category)}" data-price="${p.price}" data-stock="${esc(p.stock)}">
      <a class="product-tile__link" href="/p/${esc(p.slug)}">
        <img class="product-tile__image" src="${esc(p.images[0].src)}" alt="${esc(p.images[0].alt)}" width="320" height="320" loading="lazy">
        <span class="product-tile__brand">${esc(p.brand)}</span>
        <span class="product-tile__title">${esc(p.title)}</span>
        <span class="product-tile__price">${money(p.price)}</span>
        ${p.stock === 'in_stock' ? '' : `<span class="badge badge--${esc(p.stock)}">${stockLabel[p.stock]}</span>`}
      </a>
    </li>`;
}

function grid(products, kind) {
  return `<ul class="product-grid" data-grid="${kind}">
    ${products.map(tile).join('\n    ')}
  </ul>`;
}

function pagination(base, page, pages) {
  if (pages <= 1) return '';
  const links = [];
  for (let i = 1; i <= pages; i++) {
    links.push(i === page ? `<span aria-current="page">${i}</span>` : `<a href="${base}${base.includes('?') ? '&' : '?'}page=${i}">${i}</a>`);
  }
  return `<nav class="pagination" aria-label="Pages">${links.join(' ')}</nav>`;
}

export function home(ctx) {
  const cards = ctx.catalog.categories
    .map(
      (c) => `<li class="category-card"><a href="/c/${esc(c.key)}"><img src="/img/hero-${esc(c.key)}.svg" alt="" width="400" height="220" loading="lazy"><span>${esc(c.name)}</span></a></li>`,
    )
    .join('\n    ');
  const featured = ctx.catalog.products.filter((p, i) => i % 29 === 3 && p.stock !== 'out_of_stock').slice(0, 8);
  return layout(ctx, {
    title: 'Home',
    body: `<section class="hero hero--home" data-hero="home">
  <img class="hero__image" src="/img/hero-home.svg" alt="A shelf of folded knitwear and boots" width="1200" height="420">
  <div class="hero__copy">
    <h1 class="hero__headline">Good things, made to last</h1>
    <p class="hero__sub">Fourteen independent makers. One well-kept store.</p>
    <a class="hero__cta button" href="/c/outerwear">Shop the winter edit</a>
  </div>
</section>
<section class="section">
  <h2>Shop by category</h2>
  <ul class="category-cards">
    ${cards}
  </ul>
</section>
<section class="section">
  <h2>Featured</h2>
  ${grid(featured, 'featured')}
</section>`,
  });
}

export function plp(ctx, cat, l) {
  const [headline, sub, cta] = heroes[cat.key] ?? [cat.name, '', `Shop ${cat.name}`];
  const jsonld = {
    '@context': 'https://schema.org',
    '@type': 'ItemList',
    name: cat.name,
    numberOfItems: l.total,
    itemListElement: l.items.map((p, i) => ({ '@type': 'ListItem', position: (l.page - 1) * 48 + i + 1, url: `/p/${p.slug}` })),
  };
  return layout(ctx, {
    title: cat.name,
    description: `${cat.name} at Fieldhouse: ${sub}`,
    head: `<script type="application/ld+json">${jsonScript(jsonld)}</script>\n`,
    body: `<nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/">Home</a> / <span>${esc(cat.name)}</span></nav>
<section class="hero hero--category" data-hero="${esc(cat.key)}">
  <img class="hero__image" src="/img/hero-${esc(cat.key)}.svg" alt="${esc(cat.name)} collection" width="1200" height="360">
  <div class="hero__copy">
    <h1 class="hero__headline">${esc(headline)}</h1>
    <p class="hero__sub">${esc(sub)}</p>
    <a class="hero__cta button" href="/c/${esc(cat.key)}#grid">${esc(cta)}</a>
  </div>
</section>
<section class="listing" id="grid" data-category="${esc(cat.key)}">
  <p class="listing__count">${l.total} products · page ${l.page} of ${l.pages}</p>
  ${grid(l.items, 'category')}
  ${pagination(`/c/${esc(cat.key)}`, l.page, l.pages)}
</section>`,
  });
}

export function pdp(ctx, p, related) {
  const availability = { in_stock: 'InStock', low_stock: 'LimitedAvailability', out_of_stock: 'OutOfStock' }[p.stock];
  const jsonld = {
    '@context': 'https://schema.org',
    '@type': 'Product',
    sku: p.sku,
    name: p.title,
    brand: { '@type': 'Brand', name: p.brand },
    category: p.category,
    description: p.description,
    image: p.images.map((i) => i.src),
    offers: { '@type': 'Offer', price: p.price.toFixed(2), priceCurrency: p.currency, availability: `https://schema.org/${availability}` },
    aggregateRating: { '@type': 'AggregateRating', ratingValue: p.rating, reviewCount: 12 + (p.sku.charCodeAt(6) % 40) },
  };
  const gallery = p.images
    .map(
      (img, i) => `<figure class="gallery__item" data-role="${esc(img.role)}">
      <img class="gallery__image" src="${esc(img.src)}" srcset="${esc(img.src)} 1x, ${esc(img.src)}?w=1280 2x" alt="${esc(img.alt)}" width="640" height="640"${i ? ' loading="lazy"' : ''}>
    </figure>`,
    )
    .join('\n    ');
  const oos = p.stock === 'out_of_stock';
  return layout(ctx, {
    title: p.title,
    description: p.description,
    head: `<meta property="og:type" content="product">
<meta property="og:title" content="${esc(p.title)}">
<meta property="og:image" content="${esc(p.images[0].src)}">
<script type="application/ld+json">${jsonScript(jsonld)}</script>
`,
    body: `<nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/">Home</a> / <a href="/c/${esc(p.category)}">${esc(ctx.catalog.categories.find((c) => c.key === p.category)?.name ?? p.category)}</a> / <span>${esc(p.title)}</span></nav>
<article class="product" data-sku="${esc(p.sku)}" data-brand="${esc(p.brand)}" data-category="${esc(p.category)}" data-price="${p.price}">
  <div class="gallery" aria-label="Product images">
    ${gallery}
  </div>
  <div class="product__info">
    <p class="product__brand">${esc(p.brand)}</p>
    <h1 class="product__title">${esc(p.title)}</h1>
    <p class="product__price">${money(p.price)}</p>
    <p class="product__stock product__stock--${esc(p.stock)}">${stockLabel[p.stock]}</p>
    <p class="product__description">${esc(p.description)}</p>
    <form class="add-to-cart" action="/cart/add" method="post">
      <input type="hidden" name="sku" value="${esc(p.sku)}">
      <label>Quantity <input type="number" name="qty" value="1" min="1" max="9"></label>
      <button class="button" type="submit"${oos ? ' disabled' : ''}>${oos ? 'Sold out' : 'Add to bag'}</button>
    </form>
    <ul class="product__tags">${p.tags.map((t) => `<li>${esc(t)}</li>`).join('')}</ul>
  </div>
</article>
<section class="section related">
  <h2>You may also like</h2>
  ${grid(related, 'related')}
</section>`,
  });
}

export function searchPage(ctx, q, result) {
  const body = q
    ? `<h1 class="search__title">Results for “${esc(q)}”</h1>
<p class="listing__count">${result.total} products</p>
${result.total ? grid(result.hits.map((h) => h.product), 'search') : '<p class="empty">No products match. Try a broader word, or browse the categories above.</p>'}
${pagination(`/search?q=${encodeURIComponent(q)}`, result.page, result.pages)}`
    : '<h1 class="search__title">Search</h1><p class="empty">Type a word in the search box above.</p>';
  return layout(ctx, { title: q ? `Search: ${q}` : 'Search', body: `<section class="listing search" data-query="${esc(q)}">\n${body}\n</section>` });
}

export function cart(ctx, bySku) {
  const rows = ctx.cart
    .map((i) => {
      const p = bySku.get(i.sku);
      return `<tr data-sku="${esc(p.sku)}"><td><a href="/p/${esc(p.slug)}">${esc(p.title)}</a></td><td>${i.qty}</td><td>${money(p.price * i.qty)}</td></tr>`;
    })
    .join('');
  const total = ctx.cart.reduce((s, i) => s + bySku.get(i.sku).price * i.qty, 0);
  return layout(ctx, {
    title: 'Your bag',
    body: `<section class="cart"><h1>Your bag</h1>
${
  ctx.cart.length
    ? `<table class="cart__items"><thead><tr><th>Product</th><th>Qty</th><th>Price</th></tr></thead><tbody>${rows}</tbody></table>
<p class="cart__total">Total ${money(total)}</p>
<form action="/checkout/complete" method="post"><button class="button" type="submit">Place order</button></form>`
    : '<p class="empty">Your bag is empty.</p>'
}
</section>`,
  });
}

export function thanks(ctx, order, total, products) {
  return layout(
    { ...ctx, cart: [] },
    {
      title: 'Thank you',
      body: `<section class="thanks" data-order="${order}"><h1>Thank you for your order</h1>
<p>Order <strong>${order}</strong>, ${money(total)}: ${products.map((p) => esc(p.title)).join(', ')}.</p>
<p><a class="button" href="/">Keep shopping</a></p></section>`,
    },
  );
}

export function account(ctx, customer) {
  return layout(ctx, {
    title: 'Account',
    body: customer
      ? `<section class="account"><h1>Your account</h1><p>Signed in as <code>${esc(customer)}</code>.</p>
<form action="/account/logout" method="post"><button class="button" type="submit">Sign out</button></form></section>`
      : `<section class="account"><h1>Sign in</h1>
<form class="signin" action="/account/login" method="post"><label>Email <input type="email" name="email" required></label>
<button class="button" type="submit">Sign in</button></form><p class="empty">A demo: no password, no email is sent.</p></section>`,
  });
}

export function message(ctx, title, text) {
  return layout(ctx, { title, body: `<section class="message"><h1>${esc(title)}</h1><p>${esc(text)}</p></section>` });
}

export function notFound(ctx) {
  return message(ctx, 'Page not found', 'That page is not here. Try the categories above.');
}
