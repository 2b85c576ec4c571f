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

// Each category has product types; each type has the words its tags and descriptions use.
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

// Shop copy: what each type is for, in the words shoppers search with; then how to look after it.
const copy = {
  Trainers: 'Everyday lace-up trainers with a cushioned sole and a soft suede-and-canvas upper: casual, light, and easy to wear from morning to night.',
  'Chelsea Boots': 'Leather chelsea boots with elastic side panels and a pull tab, on a grippy rubber sole. Smart enough for the office, tough enough for the weekend.',
  'Hiking Boots': 'Waterproof hiking boots for the trail: a padded collar, a lugged sole that holds on wet rock, and a membrane that keeps feet dry on long days out.',
  Loafers: 'Smart leather loafers, hand-stitched around the toe, with a leather lining that moulds to your foot. They slip on and stay on.',
  Sandals: 'Open summer sandals with adjustable straps and a contoured footbed, for warm days, beaches and city pavements.',
  'Running Shoes': 'Cushioned running shoes for the road: a breathable mesh upper, a springy midsole and a reflective heel for early and late runs.',
  Parka: 'A long, insulated parka with a fleece-lined hood and deep fleece pockets, cut to cover the hips on a long commute.',
  'Puffer Jacket': 'A down puffer jacket, insulated and baffled so the fill stays where it should, with a high collar against the wind.',
  'Rain Jacket': 'A lightweight waterproof shell with taped seams, an adjustable hood and underarm vents. It folds into its own pocket.',
  'Wool Overcoat': 'A tailored wool overcoat with notch lapels, a half lining and a single vent: the layer that goes over everything.',
  'Denim Jacket': 'A classic denim jacket in rigid cotton that softens with wear, with chest pockets and contrast stitching. Casual and hard-wearing.',
  'Fleece Jacket': 'A fleece jacket with a half zip: a midlayer for early mornings under a shell, or on its own on milder days.',
  'Merino Jumper': 'A fine merino wool jumper: breathable and soft against the skin, with ribbed cuffs and hem. Wears well on its own or layered.',
  'Cashmere Sweater': 'A soft cashmere sweater with a relaxed V-neck, knitted from long fibres that resist pilling.',
  Cardigan: 'A buttoned cardigan in a midweight knit, with two patch pockets: the layer you reach for on cool evenings.',
  'Roll Neck': 'A ribbed roll neck knit that sits close without clinging, under a blazer or on its own.',
  'Cable Knit': 'A chunky cable knit with a traditional pattern, knitted dense enough to keep the wind out on the coast path.',
  Backpack: 'A backpack with a padded laptop sleeve, a quick-access front pocket and padded straps that carry the weight well.',
  'Tote Bag': 'An open canvas tote with long handles and an inside pocket for keys: market, library or beach.',
  Weekender: 'A travel weekender with room for an overnight stay, two grab handles, a shoulder strap and a zipped inner pocket.',
  'Crossbody Bag': 'A compact crossbody bag with an adjustable shoulder strap, a magnetic flap and room for the essentials.',
  'Messenger Bag': 'A messenger satchel with a laptop pocket, a buckled flap and a wide strap that sits comfortably across the body.',
  Beanie: 'A ribbed knit beanie with a turned-up cuff, soft against the ears on long walks.',
  Scarf: 'A long wool scarf with fringed ends, wide enough to wrap twice.',
  'Leather Gloves': 'Leather gloves with a soft lining, cut close for grip and fine enough for dressing up.',
  Sunglasses: 'Polarised sunglasses that cut glare on water and roads, with full UV protection, for summer and bright days.',
  'Leather Belt': 'A full-grain leather belt with a brushed metal buckle that ages well with everyday wear.',
  Watch: 'An analogue watch with a steel case, a scratch-resistant glass and a clear dial you can read at a glance.',
};
const care = {
  shoes: ['Free returns within 30 days; half sizes in store.', 'Wipe clean; stuff with paper to dry.', 'True to size; free returns within 30 days.'],
  outerwear: ['Machine wash cold, hang to dry.', 'Dry clean only; free repairs for two years.', 'Regular fit, room for a knit underneath.'],
  knitwear: ['Hand wash cold and dry flat.', 'Fold, never hang, to keep its shape.', 'Relaxed fit; size down for a closer one.'],
  bags: ['Spot clean with a damp cloth.', 'Two-year guarantee on stitching and hardware.', 'Free returns within 30 days.'],
  accessories: ['Free gift wrapping at checkout.', 'Two-year guarantee.', 'Free returns within 30 days.'],
};

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
    // No extra PRNG draws here: the catalog's products stay what they were; only the copy reads better.
    const them = type.noun.endsWith('s') ? 'them' : 'it';
    const description = `${copy[type.noun]} ${brand} makes ${them} in ${colour.toLowerCase()}. ${care[cat.key][n % care[cat.key].length]}`;
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
