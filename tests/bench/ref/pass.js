// Reference for `make bench`: the cheapest worker in front of an origin, a plain JS pass-through.
// The origin's body stream goes back to the runtime untouched.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    return fetch(env.ORIGIN + url.pathname + url.search, { headers: request.headers, redirect: 'manual' });
  },
};
