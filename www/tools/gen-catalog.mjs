// Generates www/catalog.json: the demo store's catalog, written by this project (no third-party data).
// Deterministic: a seeded PRNG, so re-running it yields the same file byte for byte.
//   node www/tools/gen-catalog.mjs > www/catalog.json
let seed = 0x5eed1234;
function rand() {
  // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const slugify = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

const brands = [
  'Northwind', 'Alder & Co', 'Kestrel', 'Lumen', 'Fjellstad', 'Marlowe', 'Oakhaven', 'Pallas',
  'Quill', 'Ridgeback', 'Sable', 'Tidewater', 'Umbra', 'Verity',
];

// Each category has product types; each type has words the search issue's synonyms build on.
const categories = [
  {
    key: 'shoes', name: 'Shoes',
    types: [
      { noun: 'Trainers', words: ['trainers', 'lace-up', 'casual'], price: [55, 160] },
      { noun: 'Chelsea Boots', words: ['boots', 'leather', 'chelsea'], price: [90, 240] },
      { noun: 'Hiking Boots', words: ['boots', 'hiking', 'waterproof', 'trail'], price: [110, 260] },
      { noun: 'Loafers', words: ['loafers', 'leather', 'smart'], price: [70, 190] },
      { noun: 'Sandals', words: ['sandals', 'summer', 'open'], price: [30, 95] },
      { noun: 'Running Shoes', words: ['running', 'cushioned', 'road'], price: [70, 180] },
    ],
  },
  {
    key: 'outerwear', name: 'Outerwear',
    types: [
      { noun: 'Parka', words: ['parka', 'insulated', 'hooded', 'winter'], price: [140, 420] },
      { noun: 'Puffer Jacket', words: ['puffer', 'down', 'insulated', 'winter'], price: [110, 360] },
      { noun: 'Rain Jacket', words: ['waterproof', 'shell', 'lightweight'], price: [70, 220] },
      { noun: 'Wool Overcoat', words: ['overcoat', 'wool', 'tailored'], price: [180, 480] },
      { noun: 'Denim Jacket', words: ['denim', 'jacket', 'casual'], price: [60, 150] },
      { noun: 'Fleece Jacket', words: ['fleece', 'midlayer', 'jacket'], price: [45, 130] },
    ],
  },
  {
    key: 'knitwear', name: 'Knitwear',
    types: [
      { noun: 'Merino Jumper', words: ['jumper', 'merino', 'wool'], price: [60, 160] },
      { noun: 'Cashmere Sweater', words: ['sweater', 'cashmere', 'soft'], price: [120, 320] },
      { noun: 'Cardigan', words: ['cardigan', 'knit', 'buttoned'], price: [55, 170] },
      { noun: 'Roll Neck', words: ['rollneck', 'knit', 'ribbed'], price: [60, 180] },
      { noun: 'Cable Knit', words: ['cable', 'chunky', 'knit'], price: [70, 190] },
    ],
  },
  {
    key: 'bags', name: 'Bags',
    types: [
      { noun: 'Backpack', words: ['backpack', 'laptop', 'padded'], price: [45, 190] },
      { noun: 'Tote Bag', words: ['tote', 'canvas', 'open'], price: [25, 140] },
      { noun: 'Weekender', words: ['weekender', 'travel', 'overnight'], price: [90, 300] },
      { noun: 'Crossbody Bag', words: ['crossbody', 'shoulder', 'compact'], price: [40, 180] },
      { noun: 'Messenger Bag', words: ['messenger', 'satchel', 'laptop'], price: [60, 210] },
    ],
  },
  {
    key: 'accessories', name: 'Accessories',
    types: [
      { noun: 'Beanie', words: ['beanie', 'knit', 'ribbed'], price: [15, 55] },
      { noun: 'Scarf', words: ['scarf', 'wool', 'fringed'], price: [20, 90] },
      { noun: 'Leather Gloves', words: ['gloves', 'leather', 'winter'], price: [30, 110] },
      { noun: 'Sunglasses', words: ['sunglasses', 'polarised', 'summer'], price: [40, 220] },
      { noun: 'Leather Belt', words: ['belt', 'leather', 'buckle'], price: [25, 95] },
      { noun: 'Watch', words: ['watch', 'analogue', 'steel'], price: [90, 450] },
    ],
  },
];

const colours = [
  ['Black', '#1f1f24'], ['Navy', '#1d2e5a'], ['Olive', '#5b6b3a'], ['Sand', '#cdb891'],
  ['Rust', '#a4502c'], ['Forest', '#2f5d46'], ['Slate', '#58646f'], ['Cream', '#eee3cc'],
  ['Burgundy', '#6e1f2f'], ['Camel', '#b08150'], ['Stone', '#9c968a'], ['Cobalt', '#2a52be'],
];
const materials = ['recycled', 'organic', 'vegan', 'handmade', 'limited', 'bestseller', 'new-in'];
const adjectives = ['Classic', 'Everyday', 'Alpine', 'Harbour', 'Studio', 'Field', 'Coastal', 'Urban', 'Summit', 'Heritage'];

const products = [];
let n = 0;
for (const cat of categories) {
  const perCategory = 72; // 5 categories x 72 = 360 products; PLPs show 48 per page
  for (let i = 0; i < perCategory; i++) {
    const type = cat.types[i % cat.types.length];
    const brand = pick(brands);
    const [colour, hex] = pick(colours);
    const adj = pick(adjectives);
    const title = `${brand} ${adj} ${type.noun} in ${colour}`;
    n += 1;
    const sku = `VT-${String(n).padStart(4, '0')}`;
    const [lo, hi] = type.price;
    const price = Math.round((lo + rand() * (hi - lo)) * 100) / 100;
    const priceRounded = Math.floor(price) + 0.99 > hi ? Math.floor(price) - 0.01 : Math.floor(price) + 0.99;
    const r = rand();
    const stock = r < 0.08 ? 'out_of_stock' : r < 0.2 ? 'low_stock' : 'in_stock';
    const tags = [...new Set([...type.words, colour.toLowerCase(), ...(rand() < 0.35 ? [pick(materials)] : [])])];
    const slug = `${slugify(title)}-${sku.toLowerCase()}`;
    const description =
      `The ${adj.toLowerCase()} ${type.noun.toLowerCase()} from ${brand}, in ${colour.toLowerCase()}. ` +
      `${type.words.slice(0, 3).join(', ')} — made to last, with free returns.`;
    products.push({
      sku,
      slug,
      title,
      brand,
      category: cat.key,
      type: type.noun,
      colour,
      hex,
      price: Number(priceRounded.toFixed(2)),
      currency: 'GBP',
      stock,
      tags,
      rating: Math.round((3.4 + rand() * 1.6) * 10) / 10,
      description,
      images: ['packshot', 'lifestyle', 'detail'].map((role) => ({
        role,
        src: `/img/${sku.toLowerCase()}-${role}.svg`,
        alt: `${title}, ${role} image`,
      })),
    });
  }
}

const catalog = {
  generated_by: 'www/tools/gen-catalog.mjs',
  currency: 'GBP',
  brands,
  categories: categories.map(({ key, name }) => ({ key, name })),
  products,
};
process.stdout.write(JSON.stringify(catalog, null, 1) + '\n');
