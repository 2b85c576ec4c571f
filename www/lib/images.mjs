// Product and hero pictures, drawn as small SVGs from the catalog (no external network, no binary
// assets in the repo). Each product type has its own drawing (a parka is not a trainer), in the
// product's colour, and the three roles differ in kind, so a first-image swap is visible:
//
// - packshot: the product alone on a light studio background, with its shadow;
// - lifestyle: the product in a scene of its category (a hallway floor, a hillside, a room by the
//   window, a street, a tabletop);
// - detail: a close-up of the material (knit, leather grain, quilting, weave, metal) and one
//   feature (stitching, a button, a buckle, a zip, a dial).
//
// No text is drawn inside the pictures; `alt` and `aria-label` carry the words.

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** `hex` mixed towards black (`f` < 0) or white (`f` > 0). */
function mix(hex, f) {
  const n = parseInt(hex.slice(1), 16);
  const ch = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => Math.round(f < 0 ? v * (1 + f) : v + (255 - v) * f));
  return `#${ch.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

// Each drawing fits a 200 x 200 box, the product's base line near y = 160. `c` is the colour,
// `d` a darker shade for seams and soles, `l` a lighter one for highlights.
const draw = {
  Trainers: (c, d, l) => `<path d="M24 142 q-2 -22 18 -30 l34 -26 q10 -6 17 3 l9 13 q34 9 60 16 q22 6 20 24 z" fill="${c}"/>
<path d="M20 140 h162 q4 0 4 6 v4 q0 6 -6 6 h-154 q-6 0 -6 -6 z" fill="#f4f1ea" stroke="${d}" stroke-width="2"/>
<path d="M70 92 l26 10 M64 100 l26 10 M58 108 l26 10" stroke="${l}" stroke-width="4" stroke-linecap="round"/>
<path d="M118 124 q20 -2 38 8" stroke="${d}" stroke-width="3" fill="none"/>`,
  'Running Shoes': (c, d, l) => `<path d="M22 140 q0 -18 16 -26 l40 -30 q10 -6 16 4 l8 10 q36 10 62 20 q20 8 18 22 z" fill="${c}"/>
<path d="M18 138 q40 10 90 4 q40 -4 76 4 v8 q0 8 -8 8 h-150 q-8 0 -8 -8 z" fill="${l}" stroke="${d}" stroke-width="2"/>
<path d="M60 118 q40 -20 90 6" stroke="#fff" stroke-width="6" fill="none" stroke-linecap="round"/>
<path d="M74 92 l22 9 M68 100 l22 9" stroke="${d}" stroke-width="3" stroke-linecap="round"/>`,
  'Chelsea Boots': (c, d, l) => `<path d="M62 30 h48 v82 q34 6 58 20 q14 8 12 22 h-128 z" fill="${c}"/>
<path d="M96 40 q-8 30 0 62 h14 v-70 z" fill="${d}" opacity="0.55"/>
<path d="M50 154 h134 v10 q0 4 -4 4 h-126 q-4 0 -4 -4 z" fill="${d}"/>
<path d="M64 30 h44 v-10 h-12 z" fill="${l}"/>`,
  'Hiking Boots': (c, d, l) => `<path d="M58 36 h50 l6 70 q36 8 54 22 q12 10 10 24 h-126 z" fill="${c}"/>
<path d="M46 150 h136 v12 q0 6 -6 6 h-124 q-6 0 -6 -6 z" fill="#3a3430"/>
<path d="M52 162 h124" stroke="#77695c" stroke-width="3" stroke-dasharray="8 5"/>
<path d="M86 50 l26 4 M86 64 l26 4 M86 78 l26 4 M86 92 l26 4" stroke="${l}" stroke-width="4" stroke-linecap="round"/>
<path d="M56 120 q60 -6 124 18" stroke="${d}" stroke-width="3" fill="none"/>`,
  Loafers: (c, d, l) => `<path d="M22 146 q0 -26 26 -32 q40 -12 82 -8 q40 4 50 24 q4 10 -2 16 z" fill="${c}"/>
<path d="M70 112 q26 -10 54 -4 l-4 14 q-24 -6 -46 2 z" fill="${d}"/>
<path d="M18 144 h166 v6 q0 6 -6 6 h-154 q-6 0 -6 -6 z" fill="${d}"/>
<path d="M60 120 q40 -12 80 -4" stroke="${l}" stroke-width="2" fill="none" stroke-dasharray="4 3"/>`,
  Sandals: (c, d, l) => `<path d="M22 146 q20 -12 80 -12 q60 0 80 12 v8 q-10 6 -30 6 h-100 q-20 0 -30 -6 z" fill="#d9c4a0" stroke="${d}" stroke-width="2"/>
<path d="M50 140 q20 -40 50 -40 q30 0 40 40" stroke="${c}" stroke-width="14" fill="none"/>
<path d="M110 140 q10 -22 40 -22" stroke="${c}" stroke-width="10" fill="none"/>
<circle cx="100" cy="104" r="5" fill="${l}"/>`,
  Parka: (c, d, l) => `<path d="M70 30 q30 -22 60 0 l8 16 l36 22 l-14 60 l-14 -8 v74 h-92 v-74 l-14 8 l-14 -60 l36 -22 z" fill="${c}"/>
<path d="M72 30 q28 -14 56 0 q-6 18 -28 20 q-22 -2 -28 -20 z" fill="#e9e2d2"/>
<path d="M100 52 v140" stroke="${d}" stroke-width="3"/>
<rect x="66" y="130" width="22" height="18" rx="3" fill="${d}"/><rect x="112" y="130" width="22" height="18" rx="3" fill="${d}"/>`,
  'Puffer Jacket': (c, d, l) => `<path d="M66 40 q34 -14 68 0 l40 24 l-12 62 l-16 -8 v62 h-92 v-62 l-16 8 l-12 -62 z" fill="${c}"/>
<path d="M40 78 h120 M38 98 h124 M48 118 h104 M54 138 h92 M54 158 h92" stroke="${d}" stroke-width="3" opacity="0.7"/>
<path d="M100 42 v138" stroke="${l}" stroke-width="3"/>
<path d="M76 40 q24 10 48 0 v-10 q-24 -8 -48 0 z" fill="${d}"/>`,
  'Rain Jacket': (c, d, l) => `<path d="M76 22 q24 -14 48 0 l6 22 l38 22 l-12 58 l-14 -6 v68 h-84 v-68 l-14 6 l-12 -58 l38 -22 z" fill="${c}"/>
<path d="M80 24 q20 -8 40 0 l2 20 q-22 10 -44 0 z" fill="${d}" opacity="0.6"/>
<path d="M100 44 v142" stroke="${l}" stroke-width="4" stroke-dasharray="2 3"/>
<path d="M72 118 l14 -4 M128 114 l14 4" stroke="${d}" stroke-width="4" stroke-linecap="round"/>`,
  'Wool Overcoat': (c, d, l) => `<path d="M70 26 h60 l40 24 l-10 70 l-14 -6 v80 h-92 v-80 l-14 6 l-10 -70 z" fill="${c}"/>
<path d="M82 26 l18 46 l18 -46 l-8 -2 l-10 24 l-10 -24 z" fill="${d}"/>
<path d="M100 72 v122" stroke="${d}" stroke-width="2"/>
<circle cx="92" cy="98" r="4" fill="${l}"/><circle cx="92" cy="124" r="4" fill="${l}"/><circle cx="92" cy="150" r="4" fill="${l}"/>`,
  'Denim Jacket': (c, d, l) => `<path d="M70 36 h60 l38 22 l-10 60 l-14 -6 v48 h-88 v-48 l-14 6 l-10 -60 z" fill="${c}"/>
<path d="M84 36 l16 24 l16 -24" fill="none" stroke="${d}" stroke-width="4"/>
<path d="M100 60 v100 M56 142 h88" stroke="#e0b04a" stroke-width="2" stroke-dasharray="4 3"/>
<rect x="68" y="78" width="22" height="18" fill="none" stroke="#e0b04a" stroke-width="2" stroke-dasharray="3 2"/>
<rect x="110" y="78" width="22" height="18" fill="none" stroke="#e0b04a" stroke-width="2" stroke-dasharray="3 2"/>`,
  'Fleece Jacket': (c, d, l) => `<path d="M72 40 h56 l38 22 l-10 60 l-14 -6 v60 h-84 v-60 l-14 6 l-10 -60 z" fill="${c}"/>
<path d="M80 30 h40 v16 h-40 z" fill="${c}" stroke="${d}" stroke-width="2"/>
<path d="M100 30 v60" stroke="${d}" stroke-width="4"/><circle cx="100" cy="92" r="4" fill="${l}"/>
<path d="M58 120 h84" stroke="${d}" stroke-width="2" opacity="0.5"/>`,
  'Merino Jumper': (c, d, l) => `<path d="M68 40 q32 16 64 0 l40 28 l-14 54 l-14 -8 v66 h-88 v-66 l-14 8 l-14 -54 z" fill="${c}"/>
<path d="M72 40 q28 18 56 0" stroke="${d}" stroke-width="6" fill="none"/>
<path d="M56 172 h88 M30 118 l14 6 M170 118 l-14 6" stroke="${d}" stroke-width="6"/>`,
  'Cashmere Sweater': (c, d, l) => `<path d="M68 40 l32 40 l32 -40 l40 28 l-14 54 l-14 -8 v66 h-88 v-66 l-14 8 l-14 -54 z" fill="${c}"/>
<path d="M70 40 l30 38 l30 -38" stroke="${d}" stroke-width="5" fill="none"/>
<path d="M56 172 h88" stroke="${d}" stroke-width="6"/><path d="M60 100 q40 10 80 0" stroke="${l}" stroke-width="2" fill="none" opacity="0.7"/>`,
  Cardigan: (c, d, l) => `<path d="M68 40 l26 60 v82 h-38 v-66 l-14 8 l-14 -54 z M132 40 l-26 60 v82 h38 v-66 l14 8 l14 -54 z" fill="${c}"/>
<path d="M68 40 l26 60 M132 40 l-26 60" stroke="${d}" stroke-width="5"/>
<circle cx="100" cy="112" r="4" fill="${l}"/><circle cx="100" cy="136" r="4" fill="${l}"/><circle cx="100" cy="160" r="4" fill="${l}"/>
<path d="M94 100 v82 M106 100 v82" stroke="${d}" stroke-width="2"/>`,
  'Roll Neck': (c, d, l) => `<path d="M70 44 h60 l40 26 l-14 54 l-14 -8 v66 h-84 v-66 l-14 8 l-14 -54 z" fill="${c}"/>
<rect x="76" y="18" width="48" height="30" rx="8" fill="${c}" stroke="${d}" stroke-width="2"/>
<path d="M82 20 v26 M90 20 v26 M98 20 v26 M106 20 v26 M114 20 v26" stroke="${d}" stroke-width="2" opacity="0.6"/>
<path d="M58 174 h84" stroke="${d}" stroke-width="6"/>`,
  'Cable Knit': (c, d, l) => `<path d="M68 40 q32 16 64 0 l40 28 l-14 54 l-14 -8 v66 h-88 v-66 l-14 8 l-14 -54 z" fill="${c}"/>
<path d="M84 60 q8 10 0 20 q-8 10 0 20 q8 10 0 20 q-8 10 0 20 q8 10 0 20 M116 60 q-8 10 0 20 q8 10 0 20 q-8 10 0 20 q8 10 0 20 q-8 10 0 20" stroke="${l}" stroke-width="5" fill="none"/>
<path d="M100 58 v116" stroke="${d}" stroke-width="3" opacity="0.6"/>`,
  Backpack: (c, d, l) => `<path d="M60 50 q0 -30 40 -30 q40 0 40 30 v120 q0 10 -10 10 h-60 q-10 0 -10 -10 z" fill="${c}"/>
<path d="M84 22 q16 -12 32 0" stroke="${d}" stroke-width="6" fill="none"/>
<rect x="72" y="116" width="56" height="44" rx="8" fill="${d}"/><path d="M72 126 h56" stroke="${l}" stroke-width="3"/>
<path d="M60 60 q40 -10 80 0" stroke="${l}" stroke-width="3" fill="none"/>`,
  'Tote Bag': (c, d, l) => `<path d="M46 76 h108 l-8 100 h-92 z" fill="${c}"/>
<path d="M72 78 q0 -52 28 -52 q28 0 28 52" stroke="${d}" stroke-width="7" fill="none"/>
<path d="M52 92 h96" stroke="${l}" stroke-width="3" opacity="0.8"/>`,
  Weekender: (c, d, l) => `<path d="M22 92 q0 -16 16 -16 h124 q16 0 16 16 v60 q0 12 -12 12 h-132 q-12 0 -12 -12 z" fill="${c}"/>
<path d="M70 78 q0 -34 30 -34 q30 0 30 34" stroke="${d}" stroke-width="8" fill="none"/>
<path d="M26 96 h148" stroke="${l}" stroke-width="3"/><rect x="90" y="88" width="20" height="14" rx="3" fill="#c9a66b"/>
<path d="M40 164 v-60 M160 164 v-60" stroke="${d}" stroke-width="6"/>`,
  'Crossbody Bag': (c, d, l) => `<path d="M44 26 q56 -16 112 0" stroke="${d}" stroke-width="4" fill="none"/>
<path d="M44 26 l14 84 M156 26 l-14 84" stroke="${d}" stroke-width="4"/>
<rect x="54" y="104" width="92" height="66" rx="16" fill="${c}"/>
<path d="M54 122 q46 24 92 0" fill="${d}" opacity="0.5"/><circle cx="100" cy="132" r="5" fill="#c9a66b"/>`,
  'Messenger Bag': (c, d, l) => `<path d="M30 40 q70 -30 140 0" stroke="${d}" stroke-width="6" fill="none"/>
<rect x="36" y="78" width="128" height="94" rx="8" fill="${c}"/>
<path d="M36 86 q0 -8 8 -8 h112 q8 0 8 8 v46 h-128 z" fill="${d}"/>
<rect x="70" y="124" width="12" height="24" rx="2" fill="#c9a66b"/><rect x="118" y="124" width="12" height="24" rx="2" fill="#c9a66b"/>`,
  Beanie: (c, d, l) => `<path d="M44 132 q0 -86 56 -86 q56 0 56 86 z" fill="${c}"/>
<rect x="38" y="126" width="124" height="34" rx="8" fill="${d}"/>
<path d="M50 130 v26 M62 130 v26 M74 130 v26 M86 130 v26 M98 130 v26 M110 130 v26 M122 130 v26 M134 130 v26 M146 130 v26" stroke="${c}" stroke-width="3" opacity="0.6"/>
<circle cx="100" cy="44" r="14" fill="${l}"/>`,
  Scarf: (c, d, l) => `<path d="M60 20 h40 v140 h-40 z" fill="${c}"/><path d="M100 60 q30 10 40 50 v60 h-34 v-58 q-4 -22 -6 -22 z" fill="${d}"/>
<path d="M60 40 h40 M60 80 h40 M60 120 h40" stroke="${l}" stroke-width="6" opacity="0.8"/>
<path d="M62 160 v16 M70 160 v16 M78 160 v16 M86 160 v16 M94 160 v16 M110 170 v14 M118 170 v14 M126 170 v14 M134 170 v14" stroke="${c}" stroke-width="3"/>`,
  'Leather Gloves': (c, d, l) => `<path d="M64 170 v-60 l-14 -30 q-4 -10 6 -12 q8 -2 12 8 l10 20 v-66 q0 -10 9 -10 q9 0 9 10 v56 v-64 q0 -10 9 -10 q9 0 9 10 v64 v-56 q0 -10 9 -10 q9 0 9 10 v60 v-44 q0 -10 8 -10 q8 0 8 10 v74 q0 20 -14 30 v20 z" fill="${c}"/>
<path d="M66 150 h60" stroke="${d}" stroke-width="6"/><path d="M86 60 v40 M104 52 v48 M122 60 v40" stroke="${d}" stroke-width="2" opacity="0.6"/>`,
  Sunglasses: (c, d, l) => `<path d="M20 84 h160" stroke="${c}" stroke-width="8" stroke-linecap="round"/>
<path d="M28 84 h60 q0 44 -30 44 q-30 0 -30 -44 z M112 84 h60 q0 44 -30 44 q-30 0 -30 -44 z" fill="#2a2d33" stroke="${c}" stroke-width="6"/>
<path d="M88 88 q12 -10 24 0" stroke="${c}" stroke-width="6" fill="none"/>
<path d="M40 94 l18 -6 M124 94 l18 -6" stroke="#fff" stroke-width="4" opacity="0.5" stroke-linecap="round"/>`,
  'Leather Belt': (c, d, l) => `<path d="M100 40 a60 60 0 1 1 -1 0" stroke="${c}" stroke-width="24" fill="none"/>
<path d="M100 40 a60 60 0 1 1 -1 0" stroke="${d}" stroke-width="2" stroke-dasharray="4 4" fill="none" transform="translate(0 0)"/>
<rect x="84" y="20" width="36" height="40" rx="4" fill="none" stroke="#c9a66b" stroke-width="6"/>
<path d="M102 24 v32" stroke="#c9a66b" stroke-width="4"/>`,
  Watch: (c, d, l) => `<rect x="80" y="14" width="40" height="172" rx="10" fill="${c}"/>
<circle cx="100" cy="100" r="44" fill="#dfe3e8" stroke="#8a939c" stroke-width="6"/><circle cx="100" cy="100" r="34" fill="#fbfbf8"/>
<path d="M100 100 v-24 M100 100 l16 8" stroke="#1f1f24" stroke-width="4" stroke-linecap="round"/>
<path d="M100 70 v5 M130 100 h-5 M100 130 v-5 M70 100 h5" stroke="#1f1f24" stroke-width="3"/>`,
};

const scenes = {
  // A hallway: boards and a skirting.
  shoes: `<rect width="200" height="200" fill="#e7dccb"/><rect y="128" width="200" height="72" fill="#b98c5f"/>
<path d="M0 146 h200 M0 166 h200 M0 186 h200 M40 128 v18 M120 146 v20 M70 166 v20 M160 128 v18" stroke="#9a7049" stroke-width="2"/><rect y="118" width="200" height="10" fill="#f5efe4"/>`,
  // A hillside under a sky.
  outerwear: `<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#9dbad6"/><stop offset="1" stop-color="#dce7ee"/></linearGradient></defs>
<rect width="200" height="200" fill="url(#sky)"/><path d="M0 130 q60 -40 120 -10 q40 20 80 0 v80 h-200 z" fill="#7f9a6b"/><path d="M0 160 q80 -30 200 0 v40 h-200 z" fill="#64804f"/>
<path d="M168 118 l12 -34 l12 34 z" fill="#3f5a35"/><circle cx="40" cy="38" r="14" fill="#f4e3a1"/>`,
  // A room by a window.
  knitwear: `<rect width="200" height="200" fill="#efe6da"/><rect x="120" y="20" width="64" height="84" fill="#cfe0ea" stroke="#fff" stroke-width="6"/><path d="M152 20 v84 M120 62 h64" stroke="#fff" stroke-width="4"/>
<rect y="164" width="200" height="36" fill="#c8b79f"/><path d="M14 164 v-48 q0 -10 10 -10 h40 q10 0 10 10 v48" fill="#8c6f57"/>`,
  // A street: a pavement and a shopfront.
  bags: `<rect width="200" height="200" fill="#d9d4cb"/><rect x="0" y="20" width="200" height="120" fill="#b7a99a"/><rect x="18" y="40" width="60" height="80" fill="#7d8f99"/><rect x="122" y="40" width="60" height="80" fill="#7d8f99"/>
<rect y="140" width="200" height="60" fill="#a9a39a"/><path d="M0 160 h200 M50 140 v60 M120 140 v60" stroke="#958f86" stroke-width="2"/>`,
  // A tabletop with a plant.
  accessories: `<rect width="200" height="200" fill="#f2ece2"/><rect y="136" width="200" height="64" fill="#a37a52"/><path d="M0 136 h200" stroke="#8a6442" stroke-width="3"/>
<path d="M158 136 v-18 h24 v18 z" fill="#c96f4a"/><path d="M170 118 q-16 -30 -4 -44 q6 18 4 44 q10 -24 24 -30 q-6 20 -24 30" fill="#5d7f4d"/>`,
};

// The material a category's close-ups show.
const materials = {
  shoes: (c, d) => `<defs><pattern id="m" width="10" height="10" patternUnits="userSpaceOnUse"><circle cx="3" cy="3" r="1.3" fill="${d}" opacity="0.35"/><circle cx="8" cy="7" r="1" fill="#fff" opacity="0.12"/></pattern></defs>`,
  outerwear: (c, d) => `<defs><pattern id="m" width="6" height="6" patternUnits="userSpaceOnUse"><path d="M0 0 h6 M0 3 h6" stroke="${d}" stroke-width="0.8" opacity="0.35"/><path d="M0 0 v6" stroke="#fff" stroke-width="0.6" opacity="0.12"/></pattern></defs>`,
  knitwear: (c, d) => `<defs><pattern id="m" width="16" height="14" patternUnits="userSpaceOnUse"><path d="M0 0 l8 10 l8 -10" stroke="${d}" stroke-width="3" fill="none" opacity="0.45"/><path d="M0 4 l8 10 l8 -10" stroke="#fff" stroke-width="1.5" fill="none" opacity="0.18"/></pattern></defs>`,
  bags: (c, d) => `<defs><pattern id="m" width="8" height="8" patternUnits="userSpaceOnUse"><path d="M0 8 L8 0" stroke="${d}" stroke-width="1.2" opacity="0.3"/><path d="M0 0 L8 8" stroke="#fff" stroke-width="0.8" opacity="0.1"/></pattern></defs>`,
  accessories: (c, d) => `<defs><radialGradient id="m" cx="0.35" cy="0.3" r="0.9"><stop offset="0" stop-color="#fff" stop-opacity="0.35"/><stop offset="1" stop-color="${d}" stop-opacity="0.35"/></radialGradient></defs>`,
};

// One feature, drawn large over the material.
const features = {
  shoes: (c, d, l) => `<path d="M-10 120 q110 -60 220 0" stroke="${l}" stroke-width="5" fill="none" stroke-dasharray="10 6"/><circle cx="70" cy="70" r="9" fill="none" stroke="${d}" stroke-width="5"/><circle cx="130" cy="70" r="9" fill="none" stroke="${d}" stroke-width="5"/>`,
  outerwear: (c, d, l) => `<path d="M100 0 v200" stroke="${d}" stroke-width="14"/><path d="M93 0 v200 M107 0 v200" stroke="${l}" stroke-width="3" stroke-dasharray="3 4"/><rect x="88" y="110" width="24" height="44" rx="6" fill="#c9c9c9" stroke="${d}" stroke-width="3"/>`,
  knitwear: (c, d, l) => `<path d="M0 160 h200" stroke="${d}" stroke-width="22" opacity="0.5"/><path d="M10 150 v20 M30 150 v20 M50 150 v20 M70 150 v20 M90 150 v20 M110 150 v20 M130 150 v20 M150 150 v20 M170 150 v20 M190 150 v20" stroke="${l}" stroke-width="4" opacity="0.5"/>`,
  bags: (c, d, l) => `<rect x="60" y="70" width="80" height="60" rx="8" fill="none" stroke="#c9a66b" stroke-width="10"/><path d="M100 70 v60" stroke="#c9a66b" stroke-width="8"/><path d="M20 40 h160" stroke="${l}" stroke-width="4" stroke-dasharray="8 6"/>`,
  accessories: (c, d, l) => `<circle cx="100" cy="100" r="56" fill="none" stroke="${l}" stroke-width="10" opacity="0.8"/><circle cx="100" cy="100" r="30" fill="none" stroke="${d}" stroke-width="6"/>`,
};

export function renderSvg(name, bySku, catalog) {
  const hero = name.match(/^hero-([a-z]+)$/);
  if (hero) return heroSvg(hero[1], catalog);
  const m = name.match(/^(vt-\d{4})-(packshot|lifestyle|detail)$/);
  if (!m) return null;
  const p = bySku.get(m[1].toUpperCase());
  if (!p) return null;
  const c = p.hex;
  const d = mix(c, -0.35);
  const l = mix(c, 0.45);
  const product = (draw[p.type] ?? draw.Backpack)(c, d, l);
  let body;
  if (m[2] === 'packshot') {
    body = `<defs><radialGradient id="bg" cx="0.5" cy="0.4" r="0.75"><stop offset="0" stop-color="#ffffff"/><stop offset="1" stop-color="#ebe7df"/></radialGradient></defs>
<rect width="200" height="200" fill="url(#bg)"/><ellipse cx="100" cy="186" rx="70" ry="7" fill="#000" opacity="0.12"/><g transform="translate(10 8) scale(0.9)">${product}</g>`;
  } else if (m[2] === 'lifestyle') {
    const scene = scenes[p.category] ?? scenes.accessories;
    body = `${scene}<ellipse cx="88" cy="176" rx="46" ry="5" fill="#000" opacity="0.18"/><g transform="translate(30 58) scale(0.6)">${product}</g>`;
  } else {
    const material = (materials[p.category] ?? materials.accessories)(c, d);
    const feature = (features[p.category] ?? features.accessories)(c, d, l);
    body = `${material}<rect width="200" height="200" fill="${c}"/><rect width="200" height="200" fill="url(#m)"/>${feature}`;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" width="200" height="200" role="img" aria-label="${esc(p.title)}, ${m[2]}">${body}</svg>\n`;
}

function heroSvg(key, catalog) {
  const palette = { home: ['#2d3a4a', '#c9a66b'], shoes: ['#3b2f2a', '#d9a441'], outerwear: ['#1d2e5a', '#8fb3d9'], knitwear: ['#6e1f2f', '#e6c9a8'], bags: ['#2f5d46', '#e9dcc4'], accessories: ['#58646f', '#f0c987'] };
  const colours = palette[key];
  if (!colours || (key !== 'home' && !catalog.categories.some((c) => c.key === key))) return null;
  const [a, b] = colours;
  // The category's own drawings, large and faint, on the right of the hero.
  const types = { home: ['Parka', 'Cable Knit', 'Chelsea Boots'], shoes: ['Chelsea Boots', 'Trainers'], outerwear: ['Parka', 'Puffer Jacket'], knitwear: ['Cable Knit', 'Roll Neck'], bags: ['Weekender', 'Backpack'], accessories: ['Watch', 'Beanie'] }[key];
  const art = types
    .map((t, i) => `<g transform="translate(${700 + i * 210} ${40 + (i % 2) * 30}) scale(1.3)" opacity="0.9">${draw[t](mix(b, -0.1), mix(a, 0.1), mix(b, 0.4))}</g>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1200 360" width="1200" height="360" role="img" aria-label="${esc(key)}">
<defs><linearGradient id="h" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${a}"/><stop offset="1" stop-color="${b}"/></linearGradient></defs>
<rect width="1200" height="360" fill="url(#h)"/>
<g fill="#ffffff" fill-opacity="0.08"><circle cx="980" cy="80" r="160"/><circle cx="1100" cy="300" r="120"/></g>
${art}
</svg>\n`;
}
