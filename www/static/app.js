// Fieldhouse demo store: the little client-side behaviour a real shop has. The bag count comes
// from /cart/count (pages themselves carry nothing visitor-specific, so they can be cached by URL).
const countEl = document.querySelector('[data-cart-count]');
if (countEl) {
  fetch('/cart/count', { headers: { accept: 'application/json' } })
    .then((r) => (r.ok ? r.json() : { items: 0 }))
    .then((b) => (countEl.textContent = String(b.items)))
    .catch(() => {});
}

// Add-to-bag posts JSON when JavaScript runs (the form still works without it), and the bag count
// updates in place.
document.addEventListener('submit', async (event) => {
  const form = event.target;
  if (!form.matches('.add-to-cart')) return;
  event.preventDefault();
  const data = Object.fromEntries(new FormData(form));
  const res = await fetch(form.action, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(data),
  });
  if (!res.ok) return form.submit();
  const body = await res.json();
  const count = document.querySelector('.site-cart__count');
  if (count) count.textContent = String(body.items);
  const button = form.querySelector('button');
  if (button) button.textContent = 'Added ✓';
});
