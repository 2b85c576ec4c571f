//! The only code that touches the Workers platform: it reads the request and the environment,
//! fetches from the origin, reads and writes KV, and carries out what the platform-free core
//! decides.
//!
//! It decides nothing on its own. Which headers travel, whether a body is rewritten, who the
//! visitor is and what they taught us, what `x-vitrine` says: all come from the core
//! ([`crate::proxy`], [`crate::rewrite`], [`crate::visit`], [`crate::config`]). Everything here is
//! fail-open: when something goes wrong after the origin answered, the origin's response goes out
//! as it came, and a failing extra (KV, the collector) never costs the visitor their page.

mod endpoints;
mod search;
mod state;

use futures_util::{Stream, StreamExt};
use worker::{
    console_error, console_log, console_warn, event, ByteStream, Context, Date, Env, Fetch, Headers, Request,
    RequestInit, RequestRedirect, Response, ResponseBody, ResponseBuilder, Result,
};

use crate::config::{Classified, Config, PageKind};
use crate::proxy::{self, Action, BodyPlan, Origin, PassReason, Timing};
use crate::rank::device_of;
use crate::rewrite::facts::with_fact_handlers;
use crate::rewrite::personalize::{personalize, Plan};
use crate::rewrite::plp::with_tile_readers;
use crate::rewrite::{HtmlStream, SharedSink};
use crate::signal::cookie::{self, Keyring};
use crate::signal::{minutes_from_unix_ms, to_hex, Event, ProductFacts, ID_LEN};
use crate::visit::{Inputs, Visit};
use state::Loaded;

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    let started = Date::now().as_millis();
    let origin = match env.var("ORIGIN").map(|v| v.to_string()) {
        Ok(value) => match Origin::parse(&value) {
            Ok(origin) => origin,
            Err(err) => return misconfigured(&err.to_string()),
        },
        Err(_) => return misconfigured("ORIGIN is not set"),
    };
    let loaded = state::load(&env, started).await;
    let mut req = req;
    let url = req.url()?;
    if let Some(resp) = endpoints::route(&mut req, &url, &env, &ctx, &loaded, &origin, started).await {
        return resp;
    }

    let method = req.method().to_string();
    let path_and_query = match url.query() {
        Some(q) => format!("{}?{}", url.path(), q),
        None => url.path().to_owned(),
    };
    let bypass = loaded
        .config
        .as_ref()
        .and_then(|c| c.bypass_header.as_deref())
        .is_some_and(|h| header(&req, h).is_some());
    // The debug bypass makes vitrine a transparent proxy for this request.
    let cfg = loaded.config.as_ref().filter(|_| !bypass);
    let page = cfg.and_then(|c| c.classify(&method, url.path()));
    let country = cfg.and_then(|c| country_of(&req, c));
    let mut visit = cfg.map(|c| begin_visit(&req, c, &loaded, country.as_deref(), started));

    // The storefront's search endpoint is answered at the edge (budget, cache, fallbacks).
    if let (Some(c), true) = (cfg, method == "GET") {
        if let Some(sc) = c
            .search
            .as_ref()
            .filter(|sc| sc.path.matches(url.path()).is_some())
        {
            return search::handle(
                &req,
                &url,
                &ctx,
                &loaded,
                &origin,
                c,
                sc,
                visit.as_mut(),
                country.as_deref(),
                started,
            )
            .await;
        }
    }

    // Our own cookie never reaches the origin: it has no use for it, and a visitor-specific
    // cookie must not become part of anything the origin caches.
    let cookie_header = header(&req, "cookie");
    // Pages are fetched without the visitor's cookies (unless the config says otherwise), so the
    // origin's answer is the same for everyone and cacheable by URL; personalization happens on
    // the way out. Other requests (cart, checkout, APIs) keep their cookies, less ours.
    let cacheable_page = page.as_ref().is_some_and(|p| {
        matches!(
            p.kind,
            PageKind::Home | PageKind::Plp | PageKind::Pdp | PageKind::Search
        )
    }) && method == "GET"
        && cfg.is_some_and(|c| !c.forward_cookies);
    let forwarded_cookie = match (cfg, cookie_header.as_deref()) {
        _ if cacheable_page => None,
        (Some(c), Some(h)) => cookie::without(h, &c.cookie.name),
        (_, h) => h.map(str::to_owned),
    };
    let target = origin.url_for(&path_and_query);
    let upstream = upstream_request(&req, &target, &url, forwarded_cookie.as_deref())?;
    let search_page = cfg
        .and_then(|c| c.search.as_ref())
        .filter(|sc| method == "GET" && sc.page.as_ref().is_some_and(|p| p.matches(url.path()).is_some()));
    let mut search_note = None;
    let fetched = match search_page {
        // The server-rendered search page: the same budget, edge cache and fallbacks as the API.
        Some(sc) => match search::page(&url, &origin, sc, &ctx, upstream).await {
            Ok((resp, served)) => {
                search_note = Some(format!("search={}", served.token()));
                resp
            }
            Err(err) => {
                console_error!("vitrine: origin fetch failed: {err}");
                return Ok(gateway_error());
            }
        },
        None => match Fetch::Request(upstream).send().await {
            Ok(resp) => resp,
            Err(err) => {
                console_error!("vitrine: origin fetch failed: {err}");
                return Ok(gateway_error());
            }
        },
    };
    let origin_done = Date::now().as_millis();
    let now_min = minutes_from_unix_ms(origin_done);

    let status = fetched.status_code();
    let content_type = fetched.headers().get("content-type").ok().flatten();
    let plan = proxy::plan_body(&method, status, content_type.as_deref());
    let document = matches!(plan, BodyPlan::RewriteHtml(_))
        && proxy::is_document_request(
            &method,
            header(&req, "sec-fetch-dest").as_deref(),
            header(&req, "accept").as_deref(),
        );

    // Learn from the request itself, and from who the origin says is signed in.
    let mut stitched = false;
    if let (Some(v), Some(c)) = (visit.as_mut(), cfg) {
        if let Some(page) = page.as_ref() {
            learn_from_request(v, page, &url, status, document);
        }
        if document {
            v.page_view(now_min);
        }
        stitched = stitch(v, c, &loaded, &env, &fetched, cookie_header.as_deref()).await;
    }

    let headers = copy_headers(fetched.headers());
    let _ = headers.delete("x-vitrine-cached-at");
    if let Ok(Some(location)) = headers.get("location") {
        if let Some(public) = origin.public_location(&location, &url.origin().ascii_serialization()) {
            let _ = headers.set("location", &public);
        }
    }
    if let Some(h) = cfg
        .and_then(|c| c.identity.as_ref())
        .filter(|i| i.strip_header)
        .and_then(|i| i.response_header.as_ref())
    {
        let _ = headers.delete(h);
    }

    // The body: passed on whole, or its stream taken for the rewriter. On a product page the
    // headers wait (up to the learn window) until the product's facts have streamed past, so this
    // very response can carry what the view taught us. Everything else streams.
    let mut notes: Vec<String> = search_note.into_iter().collect();
    let mut personalized = false;
    let json_listing = cfg.filter(|_| method == "GET" && status == 200).and_then(|c| {
        let json = content_type.as_deref().is_some_and(|t| t.contains("json"));
        c.json_listings
            .iter()
            .find_map(|l| l.pattern.matches(url.path()).map(|caps| (l.clone(), caps)))
            .filter(|_| json)
    });
    let (action, outgoing) = if let (Some((listing, caps)), Some(c)) = (json_listing, cfg) {
        let category = caps
            .iter()
            .find(|(k, _)| k == "category")
            .map(|(_, v)| v.clone())
            .or_else(|| {
                let param = listing.category_param.as_deref()?;
                url.query_pairs()
                    .find(|(k, _)| k == param)
                    .map(|(_, v)| v.into_owned())
            });
        let plan = request_plan(
            c,
            &loaded,
            listing.page,
            category,
            None,
            None,
            &url,
            visit.as_ref(),
            country.as_deref(),
            &req,
            origin_done,
        );
        let (outgoing, note) = json_body(fetched, &listing, &plan).await;
        personalized |= note.starts_with("json=reordered");
        notes.push(note);
        (Action::Stream, outgoing)
    } else {
        match plan {
            BodyPlan::Pass(reason) => (Action::Pass(reason), Outgoing::Pass(fetched)),
            BodyPlan::RewriteHtml(enc) => {
                let mut fetched = fetched;
                let stream = match fetched.body() {
                    ResponseBody::Stream(_) => fetched.stream().ok(),
                    _ => None,
                };
                match (stream, cfg) {
                    (None, _) => (Action::Pass(PassReason::NoBody), Outgoing::Pass(fetched)),
                    (Some(upstream), None) => (
                        Action::Stream,
                        Outgoing::Stream(Body::live(
                            upstream,
                            HtmlStream::new(lol_html::Settings::new(), enc),
                        )),
                    ),
                    (Some(upstream), Some(c)) => {
                        let sink = SharedSink::default();
                        let mut settings = lol_html::Settings::new();
                        let kind = page.as_ref().map(|p| p.kind);
                        // Product facts: learned (with consent) and used for the PDP's rule scopes.
                        let probe = match kind {
                            Some(PageKind::Pdp) if document && !c.product_sources.is_empty() => {
                                let (s, p) = with_fact_handlers(settings, &c.product_sources);
                                settings = s;
                                Some(p)
                            }
                            _ => None,
                        };
                        let learn_pdp = probe.is_some() && visit.as_ref().is_some_and(Visit::has_signal);
                        // Personalization of the page itself.
                        let mut report = None;
                        if document && kind.is_some_and(|k| k != PageKind::Other) {
                            let plan = std::rc::Rc::new(request_plan(
                                c,
                                &loaded,
                                kind.unwrap_or(PageKind::Other),
                                page.as_ref()
                                    .and_then(|p| p.capture("category"))
                                    .map(str::to_owned),
                                page.as_ref()
                                    .and_then(|p| p.capture("product"))
                                    .map(str::to_owned),
                                probe.clone(),
                                &url,
                                visit.as_ref(),
                                country.as_deref(),
                                &req,
                                origin_done,
                            ));
                            let holdout = plan.holdout;
                            let hero = plan.hero();
                            if let Some((h, _)) = &hero {
                                notes.push(format!("hero={}", h.variant));
                            }
                            let active = !c.grids.is_empty()
                                || hero.is_some()
                                || (kind == Some(PageKind::Pdp) && c.gallery.is_some());
                            if active {
                                if !c.grids.is_empty() && kind != Some(PageKind::Pdp) {
                                    notes.push(format!("plp=rank{}", if holdout { ":holdout" } else { "" }));
                                }
                                let (s, r) = personalize(settings, &sink, plan.clone(), hero.map(|(h, _)| h));
                                settings = s;
                                report = Some((r, plan));
                                personalized = true;
                            }
                        }
                        let shadow_tiles = if document && has_shadow(c) && !c.grids.is_empty() {
                            let (s, t) = with_tile_readers(settings, c);
                            settings = s;
                            Some(t)
                        } else {
                            None
                        };
                        let html = HtmlStream::with_sink(settings, enc, sink);
                        let mut body = match (probe, visit.as_mut()) {
                            (Some(probe), Some(v)) if learn_pdp => {
                                let held = hold_for_facts(upstream, html, &probe, c.learn_window).await;
                                match held.facts {
                                    Some(mut facts) => {
                                        if facts.key.is_none() {
                                            facts.key = page
                                                .as_ref()
                                                .and_then(|p| p.capture("product"))
                                                .map(str::to_owned);
                                        }
                                        v.record(Event::PdpView { product: facts });
                                    }
                                    None => notes.push("learn=pdp:none".into()),
                                }
                                if let Some((_, plan)) = &report {
                                    if let Some((prefer, _)) = plan.image() {
                                        notes.push(format!(
                                            "img={}",
                                            prefer.first().map_or("-", String::as_str)
                                        ));
                                    }
                                }
                                held.body
                            }
                            _ => Body::live(upstream, html),
                        };
                        if report.is_some() || shadow_tiles.is_some() {
                            let (tx, rx) = futures_channel::oneshot::channel();
                            body.on_end = Some(tx);
                            let after = AfterPage {
                                loaded: loaded.clone(),
                                signal: visit.as_ref().and_then(|v| v.signal.clone()),
                                consent: visit.as_ref().map(|v| v.consent),
                                page: page.clone(),
                                query: url
                                    .query_pairs()
                                    .find(|(k, _)| k == "q")
                                    .map(|(_, v)| v.into_owned()),
                                country: country.clone(),
                                device: device_of(header(&req, "user-agent").as_deref()),
                                path: url.path().to_owned(),
                                now_ms: origin_done,
                                report: report.map(|(r, _)| r),
                            };
                            ctx.wait_until(async move {
                                if rx.await.is_ok() {
                                    let tiles = shadow_tiles.map(|t| t.borrow().clone());
                                    after.send(tiles.as_ref()).await;
                                }
                            });
                        }
                        (Action::Stream, Outgoing::Stream(body))
                    }
                }
            }
        }
    };

    // What leaves: Set-Cookie (never on a shared-cacheable response), x-vitrine, Server-Timing.
    let mut report = Vec::new();
    if let (Some(v), Some(c)) = (visit.as_ref(), cfg) {
        state::with_names(|book| v.events.iter().for_each(|e| book.note_event(e)));
        report.push(v.token());
        if !v.events.is_empty() {
            let kinds: Vec<&str> = v.events.iter().map(Event::kind).collect();
            report.push(format!("learn={}", kinds.join(",")));
        }
        if let Some(set) = v.set_cookie(c, loaded.keys.as_ref()) {
            let _ = headers.append("set-cookie", &set);
            personalized = true;
        }
        // Off the response path: events to the collector, the customer profile to KV.
        send_events(&ctx, &loaded, v, url.path(), country.as_deref(), origin_done);
        if stitched
            || v.events
                .iter()
                .any(|e| matches!(e, Event::AddToCart { .. } | Event::CheckoutComplete))
        {
            save_profile(&ctx, &env, &loaded, v);
        }
    }
    if personalized {
        // Personalized or carrying a cookie: never for a shared cache. Responses vitrine did not
        // touch keep the origin's caching headers.
        let cc = headers.get("cache-control").ok().flatten();
        let _ = headers.set("cache-control", &proxy::private_cache_control(cc.as_deref()));
    }
    report.extend(notes);
    report.push(loaded.config_status.clone());
    let timing = Timing {
        origin_ms: origin_done.saturating_sub(started) as f64,
        edge_ms: Date::now().as_millis().saturating_sub(origin_done) as f64,
    };
    let _ = headers.append("server-timing", &timing.server_timing());
    let _ = headers.set(proxy::HEADER, &proxy::report(&action, &report));

    match outgoing {
        Outgoing::Pass(fetched) => Ok(fetched.with_headers(headers)),
        Outgoing::Stream(body) => {
            // The body changes length once rewriting does anything; a stale Content-Length would
            // truncate or hang the response (pingora's `modify_response` does the same).
            let _ = headers.delete("content-length");
            match Response::from_stream(body.into_stream()) {
                Ok(resp) => Ok(resp.with_status(status).with_headers(headers)),
                Err(err) => {
                    // Building a stream wrapper does not fail in practice; if it did, the origin
                    // body is already consumed: say so rather than pretend.
                    console_error!("vitrine: could not build the response stream: {err}");
                    Ok(gateway_error())
                }
            }
        }
    }
}

/// The personalization plan of one request: the page, the visitor, the moment.
#[allow(clippy::too_many_arguments)]
fn request_plan(
    cfg: &std::rc::Rc<Config>,
    loaded: &Loaded,
    page: PageKind,
    category: Option<String>,
    product: Option<String>,
    facts: Option<crate::rewrite::facts::FactsProbe>,
    url: &worker::Url,
    visit: Option<&Visit>,
    country: Option<&str>,
    req: &Request,
    now_ms: u64,
) -> Plan {
    let signal = visit.and_then(|v| v.signal.clone());
    let holdout = signal
        .as_ref()
        .is_some_and(|s| crate::rank::in_holdout(&s.id, cfg.holdout));
    Plan {
        cfg: cfg.clone(),
        packed: loaded.packed.clone(),
        page,
        category: category.map(|c| c.to_lowercase()),
        brand_page: None,
        query: url
            .query_pairs()
            .find(|(k, _)| k == "q")
            .map(|(_, q)| crate::config::rules::normalize_query(&q)),
        signal,
        consent: visit.is_some_and(|v| v.consent.allows_profile()),
        country: country.map(str::to_owned),
        device: device_of(header(req, "user-agent").as_deref()),
        now: now_ms / 1000,
        holdout,
        product,
        facts,
    }
}

/// Whether any rule would behave differently in shadow mode.
fn has_shadow(cfg: &Config) -> bool {
    cfg.rules.iter().any(|r| r.mode == crate::config::Mode::Shadow)
}

/// What the end-of-page reports need: the exposure event (what was actually rendered) and the
/// shadow comparison, both sent once the whole page has streamed past.
struct AfterPage {
    loaded: std::rc::Rc<Loaded>,
    signal: Option<crate::signal::Signal>,
    consent: Option<crate::signal::consent::Consent>,
    page: Option<Classified>,
    query: Option<String>,
    country: Option<String>,
    device: crate::config::rules::Device,
    path: String,
    now_ms: u64,
    report: Option<crate::rewrite::personalize::Report>,
}

impl AfterPage {
    /// Logs what was rendered and what shadow rules would change; reports both (with consent).
    async fn send(self, tiles: Option<&crate::rewrite::plp::Tiles>) {
        let Some(cfg) = self.loaded.config.as_ref() else {
            return;
        };
        let mut events = Vec::new();
        if let Some(report) = &self.report {
            let outcome = report.snapshot();
            let summary = outcome.summary();
            if !summary.is_empty() {
                console_log!("vitrine: {} {summary}", self.path);
            }
            events.push(serde_json::json!({
                "type": "exposure",
                "version": self.loaded.version,
                "summary": summary,
                "regions": outcome.regions,
                "rules": outcome.fired.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(),
                "hero_swaps": outcome.hero_swaps,
                "image": outcome.image,
            }));
        }
        let empty = Vec::new();
        let tiles = tiles.unwrap_or(&empty);
        let holdout = self
            .signal
            .as_ref()
            .is_some_and(|s| crate::rank::in_holdout(&s.id, cfg.holdout));
        let ctx = crate::preview::context(
            self.page.as_ref().map_or(PageKind::Plp, |p| p.kind),
            self.page.as_ref(),
            self.query.as_deref(),
            None,
            self.signal.as_ref(),
            self.consent.is_some_and(|c| c.allows_profile()),
            self.country.as_deref(),
            self.device,
            self.now_ms / 1000,
            holdout,
        );
        let lookup = crate::catalog::lookup(cfg, self.loaded.packed.as_deref());
        for (g, grid) in cfg.grids.iter().enumerate() {
            let items: Vec<crate::rank::Item> = tiles
                .get(g)
                .into_iter()
                .flatten()
                .map(|t| crate::rank::Item::from_catalog(&lookup, t.key.as_deref(), t.clone()))
                .collect();
            let live = crate::rank::rank(cfg, &items, &ctx, false);
            let shadow = crate::rank::rank(cfg, &items, &ctx, true);
            if live.order != shadow.order || live.hidden != shadow.hidden {
                let rules: Vec<&str> = shadow
                    .fired
                    .iter()
                    .filter(|f| !live.fired.contains(f))
                    .map(|f| f.rule.as_str())
                    .collect();
                let key = |i: &usize| items.get(*i).and_then(|t| t.key.clone()).unwrap_or_default();
                console_log!(
                    "vitrine shadow: {} grid {:?}: rules {:?} would serve {:?} instead of {:?}",
                    self.path,
                    grid.name,
                    rules,
                    shadow.order.iter().take(8).map(key).collect::<Vec<_>>(),
                    live.order.iter().take(8).map(key).collect::<Vec<_>>()
                );
                events.push(serde_json::json!({
                    "type": "shadow",
                    "grid": grid.name,
                    "rules": rules,
                    "live": live.order.iter().map(key).collect::<Vec<_>>(),
                    "shadow": shadow.order.iter().map(key).collect::<Vec<_>>(),
                    "version": self.loaded.version,
                }));
            }
        }
        // Reports leave like events: only with consent (a signal), with the pseudonymous id.
        let (Some(url), Some(signal), Some(consent)) =
            (self.loaded.collector.clone(), self.signal.as_ref(), self.consent)
        else {
            return;
        };
        let path = self.path.as_str();
        if let Some(body) = crate::events::batch(
            signal,
            consent.token(),
            path,
            self.country.as_deref(),
            self.now_ms,
            &events,
        ) {
            post_json(&url, body).await;
        }
    }
}

async fn post_json(url: &str, body: String) {
    let headers = Headers::new();
    let _ = headers.set("content-type", "application/json");
    let mut init = RequestInit::new();
    init.with_method(worker::Method::Post)
        .with_headers(headers)
        .with_body(Some(body.into()));
    let sent = match Request::new_with_init(url, &init) {
        Ok(req) => Fetch::Request(req).send().await.map(|r| r.status_code()),
        Err(e) => Err(e),
    };
    match sent {
        Ok(s) if s < 300 => {}
        Ok(s) => console_warn!("vitrine: collector answered {s}"),
        Err(e) => console_warn!("vitrine: collector unreachable: {e}"),
    }
}

fn header(req: &Request, name: &str) -> Option<String> {
    req.headers().get(name).ok().flatten()
}

/// The visitor's country: the trusted test header when the config enables one, else `request.cf`.
fn country_of(req: &Request, cfg: &Config) -> Option<String> {
    cfg.country_header
        .as_deref()
        .and_then(|h| header(req, h))
        .or_else(|| req.cf().and_then(|cf| cf.country()))
}

fn random_id() -> Option<[u8; ID_LEN]> {
    let mut id = [0u8; ID_LEN];
    getrandom::fill(&mut id).ok().map(|_| id)
}

/// Reads the visitor of a request (see [`Visit::begin`]).
fn begin_visit(req: &Request, cfg: &Config, loaded: &Loaded, country: Option<&str>, now_ms: u64) -> Visit {
    let cookie_header = header(req, "cookie");
    let user_agent = header(req, "user-agent");
    let purpose = header(req, "sec-purpose").or_else(|| header(req, "purpose"));
    let gpc = header(req, "sec-gpc");
    // Without randomness there is no safe new id: the signal layer stays off for this request.
    let fresh = random_id();
    let keys = fresh.and(loaded.keys.as_ref());
    Visit::begin(
        cfg,
        keys,
        &Inputs {
            cookie_header: cookie_header.as_deref(),
            user_agent: user_agent.as_deref(),
            purpose: purpose.as_deref(),
            gpc: gpc.as_deref(),
            country,
            now_min: minutes_from_unix_ms(now_ms),
            fresh_id: fresh.unwrap_or_default(),
        },
    )
}

/// Events the request itself shows: a listing view, an add-to-cart, a completed checkout.
fn learn_from_request(v: &mut Visit, page: &Classified, url: &worker::Url, status: u16, document: bool) {
    let ok = status < 400;
    match page.kind {
        PageKind::Plp if document => {
            if let Some(category) = page.capture("category") {
                v.record(Event::PlpView {
                    category: category.to_owned(),
                });
            }
        }
        PageKind::Search if document => {
            let query = url
                .query_pairs()
                .find(|(k, _)| k == "q")
                .map(|(_, q)| q.chars().take(128).collect())
                .unwrap_or_default();
            v.record(Event::Search {
                query,
                results: None,
                served: None,
                latency_ms: None,
            });
        }
        PageKind::CartAdd if ok => v.record(Event::AddToCart {
            product: ProductFacts {
                key: page.capture("product").map(str::to_owned),
                ..ProductFacts::default()
            },
        }),
        PageKind::CheckoutComplete if ok => v.record(Event::CheckoutComplete),
        _ => {}
    }
}

/// When the origin names a signed-in customer, binds the visitor to their keyed hash and merges
/// the profile stored under it (another device's history). Returns whether the profile changed.
async fn stitch(
    v: &mut Visit,
    cfg: &Config,
    loaded: &Loaded,
    env: &Env,
    fetched: &Response,
    cookie_header: Option<&str>,
) -> bool {
    let (Some(identity), Some(ikey), Some(keys)) = (&cfg.identity, &loaded.identity_key, &loaded.keys) else {
        return false;
    };
    if !v.has_signal() {
        return false; // no consent, a bot: nothing is stitched
    }
    let from_header = identity
        .response_header
        .as_deref()
        .and_then(|h| fetched.headers().get(h).ok().flatten());
    let from_cookie = || {
        identity
            .cookie
            .as_deref()
            .and_then(|name| cookie::values(cookie_header?, name).next().map(str::to_owned))
    };
    let Some(customer) = from_header
        .or_else(from_cookie)
        .filter(|c| !c.trim().is_empty() && c.len() <= 256)
    else {
        return false;
    };
    let ck = Keyring::keyed_hash8(ikey, &customer);
    if v.signal.as_ref().and_then(|s| s.customer_key) == Some(ck) {
        return false;
    }
    let stored = match env.kv("PROFILES") {
        Ok(kv) => match kv.get(&profile_key(&ck)).text().await {
            Ok(Some(text)) => cookie::decode(&text, keys).ok(),
            Ok(None) => None,
            Err(e) => {
                console_warn!("vitrine: profile read failed: {e}");
                None
            }
        },
        Err(_) => None,
    };
    v.stitch(ck, stored)
}

fn profile_key(ck: &[u8; 8]) -> String {
    format!("profile:{}", to_hex(ck))
}

/// Saves a stitched visitor's profile (signed, like the cookie) under their customer key.
fn save_profile(ctx: &Context, env: &Env, loaded: &Loaded, v: &Visit) {
    let (Some(signal), Some(keys)) = (v.signal.as_ref(), loaded.keys.as_ref()) else {
        return;
    };
    let Some(ck) = signal.customer_key else { return };
    let Ok(kv) = env.kv("PROFILES") else {
        console_warn!("vitrine: no PROFILES KV binding; the customer profile is not saved");
        return;
    };
    let value = cookie::encode(signal, keys);
    ctx.wait_until(async move {
        let put = match kv.put(&profile_key(&ck), value) {
            Ok(put) => put.execute().await,
            Err(e) => Err(e),
        };
        if let Err(e) = put {
            console_warn!("vitrine: profile write failed: {e}");
        }
    });
}

/// Forwards this request's events to the collector, after the response (never with no consent).
pub(crate) fn send_events(
    ctx: &Context,
    loaded: &Loaded,
    v: &Visit,
    path: &str,
    country: Option<&str>,
    now_ms: u64,
) {
    let Some(url) = loaded.collector.clone() else {
        return;
    };
    let Some(body) = crate::events::collector_payload(v, path, country, now_ms) else {
        return;
    };
    ctx.wait_until(async move { post_json(&url, body).await });
}

/// The request to the origin: same method, headers (less hop-by-hop ones and our cookie) and
/// body; redirects are returned to the visitor, never followed.
fn upstream_request(
    req: &Request,
    target: &str,
    public: &worker::Url,
    cookie: Option<&str>,
) -> Result<Request> {
    let headers = Headers::new();
    for (name, value) in req.headers().entries() {
        if !proxy::is_hop_by_hop(&name) && !name.eq_ignore_ascii_case("cookie") {
            headers.append(&name, &value)?;
        }
    }
    if let Some(cookie) = cookie {
        headers.set("cookie", cookie)?;
    }
    if let Some(host) = public.host_str() {
        let host = match public.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        headers.set("x-forwarded-host", &host)?;
    }
    headers.set("x-forwarded-proto", public.scheme())?;
    let mut init = RequestInit::new();
    init.with_method(req.method())
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual);
    if let Some(body) = req.inner().body() {
        init.with_body(Some(body.into()));
    }
    Request::new_with_init(target, &init)
}

/// What goes back: the origin's response as it is, or a new body stream.
enum Outgoing {
    Pass(Response),
    Stream(Body),
}

/// A body streamed through the rewriter (or copied, without one), possibly with a held-back head.
struct Body {
    head: Vec<u8>,
    rest: Option<(ByteStream, Option<HtmlStream>)>,
    error: Option<worker::Error>,
    /// Told when the whole body went through (reports that need the full page wait on it).
    on_end: Option<futures_channel::oneshot::Sender<()>>,
}

impl Body {
    fn live(upstream: ByteStream, html: HtmlStream) -> Self {
        Body {
            head: Vec::new(),
            rest: Some((upstream, Some(html))),
            error: None,
            on_end: None,
        }
    }

    /// The output, chunk by chunk as input arrives: only what lol_html holds back (an unfinished
    /// tag) waits for the next chunk.
    fn into_stream(self) -> impl Stream<Item = Result<Vec<u8>>> {
        let head = (!self.head.is_empty()).then_some(Ok(self.head));
        let tail = self.error.map(Err);
        let on_end = self.on_end;
        let rest = futures_util::stream::unfold(self.rest, |state| async move {
            let (mut upstream, mut html) = state?;
            loop {
                match upstream.next().await {
                    Some(Ok(chunk)) => {
                        let out = match html.as_mut() {
                            Some(h) => h.push(&chunk),
                            None => chunk,
                        };
                        if !out.is_empty() {
                            return Some((Ok(out), Some((upstream, html))));
                        }
                    }
                    // The origin broke off mid-body: the visitor sees the same truncation they
                    // would have seen without vitrine.
                    Some(Err(err)) => return Some((Err(err), None)),
                    None => {
                        let mut html = html?;
                        let out = html.finish();
                        if let Some(reason) = html.bailed() {
                            console_warn!(
                                "vitrine: rewriter bailed out ({reason:?}); rest of page passed untouched"
                            );
                        }
                        return Some((Ok(out), None));
                    }
                }
            }
        });
        let done = futures_util::stream::once(async move {
            if let Some(tx) = on_end {
                let _ = tx.send(());
            }
            None
        })
        .filter_map(|x: Option<Result<Vec<u8>>>| async move { x });
        futures_util::stream::iter(head)
            .chain(rest)
            .chain(futures_util::stream::iter(tail))
            .chain(done)
    }
}

/// The result of holding a product page back while its facts stream past.
struct Held {
    body: Body,
    /// The facts, when a source yielded a brand or a category within the window.
    facts: Option<ProductFacts>,
}

async fn hold_for_facts(
    mut upstream: ByteStream,
    mut html: HtmlStream,
    probe: &crate::rewrite::facts::FactsProbe,
    window: usize,
) -> Held {
    let mut head = Vec::new();
    let mut error = None;
    let mut ended = false;
    while !probe.ready() && head.len() < window {
        match upstream.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&html.push(&chunk)),
            Some(Err(e)) => {
                error = Some(e);
                ended = true;
                break;
            }
            None => {
                head.extend_from_slice(&html.finish());
                ended = true;
                break;
            }
        }
    }
    let facts = probe.ready().then(|| probe.facts());
    Held {
        body: Body {
            head,
            rest: (!ended).then_some((upstream, Some(html))),
            error,
            on_end: None,
        },
        facts,
    }
}

/// A JSON listing: read up to its cap, reordered within the rules with each item's bytes kept;
/// anything unexpected (too large, not the configured shape) passes through as it came.
async fn json_body(
    mut fetched: Response,
    listing: &crate::config::JsonListing,
    plan: &Plan,
) -> (Outgoing, String) {
    if !matches!(fetched.body(), ResponseBody::Stream(_)) {
        return (Outgoing::Pass(fetched), "json=pass:no-body".into());
    }
    let Ok(mut upstream) = fetched.stream() else {
        return (Outgoing::Pass(fetched), "json=pass:no-body".into());
    };
    let mut body = Vec::new();
    let mut error = None;
    let mut over = false;
    while let Some(chunk) = upstream.next().await {
        match chunk {
            Ok(c) => {
                body.extend_from_slice(&c);
                if body.len() > listing.max_bytes {
                    over = true;
                    break;
                }
            }
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    let raw = |head: Vec<u8>, rest: Option<ByteStream>, error| Body {
        head,
        rest: rest.map(|u| (u, None)),
        error,
        on_end: None,
    };
    if over || error.is_some() {
        let why = if over {
            "json=pass:over-cap"
        } else {
            "json=pass:origin-error"
        };
        return (
            Outgoing::Stream(raw(body, error.is_none().then_some(upstream), error)),
            why.into(),
        );
    }
    let Some(items) = crate::rewrite::json::array_items(&body, &listing.items) else {
        return (
            Outgoing::Stream(raw(body, None, None)),
            "json=pass:no-items".into(),
        );
    };
    let find = crate::catalog::lookup(&plan.cfg, plan.packed.as_deref());
    let listed: Vec<crate::rank::Item> = items
        .iter()
        .map(|(s, e)| {
            let item = crate::rewrite::json::item_facts(
                body.get(*s..*e).unwrap_or_default(),
                &listing.key,
                &listing.facts,
            );
            crate::rank::Item::from_catalog(&find, item.key.clone().as_deref(), item)
        })
        .collect();
    let ranking = crate::rank::rank(&plan.cfg, &listed, &plan.context(), false);
    if !ranking.changed(items.len()) {
        return (Outgoing::Stream(raw(body, None, None)), "json=unchanged".into());
    }
    match crate::rewrite::json::splice(&body, &items, &ranking.order) {
        Some(out) => (
            Outgoing::Stream(raw(out, None, None)),
            format!("json=reordered:{}", ranking.order.len()),
        ),
        None => (Outgoing::Stream(raw(body, None, None)), "json=pass:splice".into()),
    }
}

/// A mutable copy of response headers (a fetched response's own headers are immutable). The Fetch
/// standard's iteration yields each `Set-Cookie` separately, so none are merged.
pub(crate) fn copy_headers(headers: &Headers) -> Headers {
    match web_sys::Headers::new_with_headers(&headers.0) {
        Ok(copy) => Headers(copy),
        Err(_) => {
            let copy = Headers::new();
            for (name, value) in headers.entries() {
                let _ = copy.append(&name, &value);
            }
            copy
        }
    }
}

fn misconfigured(detail: &str) -> Result<Response> {
    console_error!("vitrine: configuration error: {detail}");
    Ok(plain(
        500,
        "vitrine is not configured: set ORIGIN (see README)",
        "error;config=origin",
    ))
}

fn gateway_error() -> Response {
    plain(
        502,
        "bad gateway: the storefront origin did not answer",
        &Action::OriginError.to_string(),
    )
}

/// A small text response of vitrine's own, never cached.
fn plain(status: u16, body: &str, vitrine: &str) -> Response {
    let headers = Headers::new();
    let _ = headers.set("content-type", "text/plain; charset=utf-8");
    let _ = headers.set("cache-control", "no-store");
    let _ = headers.set(proxy::HEADER, vitrine);
    ResponseBuilder::new()
        .with_status(status)
        .with_headers(headers)
        .fixed(body.as_bytes().to_vec())
}
