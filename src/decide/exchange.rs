//! A request proxied to the origin, decided in the steps its response arrives in:
//!
//! 1. [`Exchange::new`]: what goes to the origin (URL, headers, which cookies) and how it is
//!    fetched (plainly, or through the search page's budget and edge cache);
//! 2. [`Exchange::respond`] with the origin's head: what the request taught (a listing view, an
//!    add-to-cart, a checkout, a page view), and whether a signed-in customer's profile must be
//!    looked up ([`Lookup`], answered with [`Exchange::stitched`]);
//! 3. [`Exchange::body`]: what happens to the body ([`BodyWork`]: passed, rewritten as HTML with
//!    this personalization plan, or reordered as a JSON listing); the glue reports back what it
//!    saw ([`Exchange::facts_read`], [`Exchange::json_done`]);
//! 4. [`Exchange::finish`]: the response head ([`Head`]: header edits, `Set-Cookie`, caching,
//!    `x-vitrine`, `Server-Timing`) and the work for after the response ([`super::After`]);
//! 5. [`Exchange::end_of_page`]: the exposure and shadow reports, once the whole page streamed.

use std::rc::Rc;

use crate::request_url::RequestUrl;

use super::{collector, After, Incoming, Who};
use crate::config::{Classified, Config, JsonListing, PageKind};
use crate::product::Item;
use crate::proxy::{self, BodyPlan, Caching, Conditional, PassReason, Timing};
use crate::rank::{self, in_holdout, ShadowDiff};
use crate::report::{Action, JsonNote, JsonPass, Listing, Report, SearchNote, HEADER};
use crate::rewrite::facts::FactsProbe;
use crate::rewrite::marker::Gate;
use crate::rewrite::page::PageWork;
use crate::rewrite::personalize::{self, Plan};
use crate::rewrite::plp::{TileReader, Tiles};
use crate::search::{PageFlow, Query, Served};
use crate::settings::Settings;
use crate::signal::cookie::{self, Keyring};
use crate::signal::{minutes_from_unix_ms, to_hex, Event, ProductFacts};
use crate::visit::NameBook;

/// The request to send to the origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forward {
    /// Absolute URL on the origin.
    pub url: String,
    /// Method (the body, if any, is the visitor's, streamed).
    pub method: String,
    /// Headers, in order. Redirects are never followed: they go back to the visitor.
    pub headers: Vec<(String, String)>,
    /// The visitor's cookies were held back (a page fetched so its answer is the same for
    /// everyone): a `Set-Cookie` the origin answers with is not the visitor's, and never reaches them.
    pub cookies_withheld: bool,
}

/// What the glue read from the origin's response head.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OriginHead {
    /// Status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `Cache-Control`.
    pub cache_control: Option<String>,
    /// `Content-Encoding`.
    pub content_encoding: Option<String>,
    /// `ETag`.
    pub etag: Option<String>,
    /// `Last-Modified`.
    pub last_modified: Option<String>,
    /// Whether the origin set a cookie.
    pub set_cookie: bool,
    /// `Location`.
    pub location: Option<String>,
    /// The value of the identity header ([`Exchange::identity_header`]), if the origin sent it.
    pub customer: Option<String>,
    /// Whether the body is a stream (a `HEAD` or a `204` has none).
    pub streamed: bool,
    /// When the head arrived, Unix ms.
    pub at_ms: u64,
}

/// A profile to read from `PROFILES` before the body is decided (a signed-in customer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    /// The KV key.
    pub key: String,
    customer_key: [u8; 8],
}

/// What happens to the response body.
pub enum BodyWork {
    /// It goes out as the origin sent it.
    Pass(PassReason),
    /// It streams through the HTML rewriter.
    Html(Box<PageWork>),
    /// It is read (up to a cap) and reordered as a JSON listing.
    Json(Box<JsonWork>),
}

/// A JSON listing to reorder within the rules.
pub struct JsonWork {
    /// The listing's config.
    pub listing: JsonListing,
    /// The personalization plan.
    pub plan: Plan,
}

impl JsonWork {
    /// The reordered body (`None`: pass it as it came) and what happened.
    pub fn reorder(&self, body: &[u8]) -> (Option<Vec<u8>>, JsonNote) {
        let listing = &self.listing;
        let Some(items) = crate::rewrite::json::array_items(body, &listing.items) else {
            return (None, JsonNote::Pass(JsonPass::NoItems));
        };
        let find = crate::catalog::lookup(&self.plan.cfg, self.plan.packed.as_deref());
        let listed: Vec<Item> = items
            .iter()
            .map(|(s, e)| {
                let item = crate::rewrite::json::item_facts(
                    body.get(*s..*e).unwrap_or_default(),
                    &listing.key,
                    &listing.facts,
                );
                Item::from_catalog(&find, item.key.clone().as_deref(), item)
            })
            .collect();
        let ranking = rank::rank(&self.plan.cfg, &listed, &self.plan.context(), false);
        if !ranking.changed(items.len()) {
            return (None, JsonNote::Unchanged);
        }
        match crate::rewrite::json::splice(body, &items, &ranking.order) {
            Some(out) => (Some(out), JsonNote::Reordered(ranking.order.len())),
            None => (None, JsonNote::Pass(JsonPass::Splice)),
        }
    }
}

/// One header edit on the origin's response head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Remove the header.
    Delete(String),
    /// Replace the header.
    Set(String, String),
    /// Add a value (`Set-Cookie`, `Server-Timing`).
    Append(String, String),
}

/// The response head vitrine sends: the origin's headers with these edits, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Head {
    /// A status of vitrine's own instead of the origin's: `304` when the browser already holds
    /// the untouched page (its conditional headers were held back from the origin).
    pub status: Option<u16>,
    /// The edits.
    pub edits: Vec<Edit>,
    /// Work for after the response.
    pub after: After,
}

/// A request proxied to the origin.
pub struct Exchange {
    settings: Rc<Settings>,
    cfg: Option<Rc<Config>>,
    who: Option<Who>,
    bypass: bool,
    method: String,
    url: RequestUrl,
    page: Option<Classified>,
    sec_fetch_dest: Option<String>,
    accept: Option<String>,
    cookie_header: Option<String>,
    started_ms: u64,
    /// What goes to the origin.
    pub forward: Forward,
    /// Fetch through the search page's budget, edge cache and fallbacks.
    pub search_page: Option<PageFlow>,
    head: OriginHead,
    plan_body: Option<BodyPlan>,
    document: bool,
    lookup_done: bool,
    stitched: bool,
    caching: Caching,
    conditional: Conditional,
    from_edge_cache: bool,
    streamed_body: bool,
    plan: Option<Rc<Plan>>,
    report: Report,
}

impl Exchange {
    /// Plans the origin request.
    pub fn new(
        incoming: Incoming,
        settings: &Rc<Settings>,
        cfg: Option<Rc<Config>>,
        who: Option<Who>,
        bypass: bool,
    ) -> Exchange {
        let page = cfg
            .as_ref()
            .and_then(|c| c.classify(&incoming.method, incoming.path()));
        let (forward, conditional) = forward(&incoming, settings, cfg.as_deref(), page.as_ref());
        let mut report = Report::default();
        let search_page = cfg
            .as_ref()
            .and_then(|c| c.search.as_ref())
            .filter(|sc| {
                !bypass
                    && incoming.is("GET")
                    && sc
                        .page
                        .as_ref()
                        .is_some_and(|p| p.matches(incoming.path()).is_some())
            })
            .and_then(|sc| {
                let names = incoming.param_names();
                match Query::read(sc, |n| incoming.param(n), names.iter().map(String::as_str)) {
                    Ok(query) if !query.other_params => {
                        let origin = settings.origin.as_ref().ok()?;
                        Some(PageFlow::new(sc, query, incoming.path(), |p| origin.url_for(p)))
                    }
                    _ => {
                        // A refused query, or one with parameters its cache key cannot hold (a
                        // sort, a filter), is fetched as any page, and said so.
                        report.search = Some(SearchNote::Page(Served::Passthrough));
                        None
                    }
                }
            });
        Exchange {
            settings: settings.clone(),
            cfg,
            who,
            bypass,
            method: incoming.method.clone(),
            page,
            sec_fetch_dest: incoming.header("sec-fetch-dest").map(str::to_owned),
            accept: incoming.header("accept").map(str::to_owned),
            cookie_header: incoming.header("cookie").map(str::to_owned),
            started_ms: incoming.now_ms,
            url: incoming.url,
            forward,
            search_page,
            head: OriginHead::default(),
            plan_body: None,
            document: false,
            lookup_done: false,
            stitched: false,
            // A QA preview session's answers are one person's view of a draft: never stored.
            caching: if bypass || settings.qa.is_some() {
                Caching::Personal
            } else {
                Caching::Origin
            },
            conditional,
            from_edge_cache: false,
            streamed_body: false,
            plan: None,
            report,
        }
    }

    /// The page type the config gave this request, if any.
    pub fn page(&self) -> Option<&Classified> {
        self.page.as_ref()
    }

    /// Which path the search page came from (after [`Exchange::search_page`] was carried out).
    pub fn searched(&mut self, served: Served) {
        self.from_edge_cache = matches!(served, Served::Cache | Served::Stale);
        self.report.search = Some(SearchNote::Page(served));
    }

    /// The response header naming a signed-in customer, to read into [`OriginHead::customer`].
    pub fn identity_header(&self) -> Option<&str> {
        self.cfg.as_ref()?.identity.as_ref()?.response_header.as_deref()
    }

    /// The origin answered: learns from the request itself and says whether a customer profile
    /// must be read first.
    pub fn respond(&mut self, head: OriginHead) -> Option<Lookup> {
        let mut plan = proxy::plan_body(&self.method, head.status, head.content_type.as_deref());
        if matches!(plan, BodyPlan::RewriteHtml(_))
            && !proxy::runtime_decodes(head.content_encoding.as_deref())
        {
            plan = BodyPlan::Pass(PassReason::Encoding);
        }
        self.document = matches!(plan, BodyPlan::RewriteHtml(_))
            && proxy::is_document_request(
                &self.method,
                self.sec_fetch_dest.as_deref(),
                self.accept.as_deref(),
            );
        self.plan_body = Some(plan);
        self.head = head;
        let now_min = minutes_from_unix_ms(self.head.at_ms);
        let (Some(who), Some(_)) = (self.who.as_mut(), self.cfg.as_ref()) else {
            return None;
        };
        // A QA session's visitor is the segment it was given: nothing it does changes it.
        if self.settings.qa.is_some() {
            return None;
        }
        // A page typed by its markup teaches nothing from its URL: its type is not known yet.
        if let Some(page) = self.page.as_ref().filter(|p| p.marker.is_none()) {
            for event in request_events(page, &self.url, self.head.status, self.document) {
                who.visit.record(event);
            }
        }
        if self.document {
            who.visit.page_view(now_min);
        }
        self.lookup()
    }

    fn lookup(&self) -> Option<Lookup> {
        let (cfg, who) = (self.cfg.as_ref()?, self.who.as_ref()?);
        let (identity, ikey, _) = (
            cfg.identity.as_ref()?,
            self.settings.identity_key.as_ref()?,
            self.settings.keys.as_ref()?,
        );
        if !who.visit.has_signal() {
            return None; // no consent, a bot: nothing is stitched
        }
        let from_cookie = || {
            let name = identity.cookie.as_deref()?;
            cookie::values(self.cookie_header.as_deref()?, name)
                .next()
                .map(str::to_owned)
        };
        let customer = self
            .head
            .customer
            .clone()
            .or_else(from_cookie)
            .filter(|c| !c.trim().is_empty() && c.len() <= 256)?;
        let customer_key = Keyring::keyed_hash8(ikey, &customer);
        if who.visit.signal.as_ref().and_then(|s| s.customer_key) == Some(customer_key) {
            return None;
        }
        Some(Lookup {
            key: profile_key(&customer_key),
            customer_key,
        })
    }

    /// The profile stored under a [`Lookup`]'s key (signed like the cookie), if any: merged into
    /// this visitor, whose id becomes the customer's on every device.
    pub fn stitched(&mut self, lookup: Lookup, stored: Option<String>) {
        self.lookup_done = true;
        let (Some(who), Some(keys)) = (self.who.as_mut(), self.settings.keys.as_ref()) else {
            return;
        };
        let stored = stored.and_then(|text| cookie::decode(&text, keys).ok());
        self.stitched = who.visit.stitch(lookup.customer_key, stored);
    }

    /// What to do with the body.
    pub fn body(&mut self) -> BodyWork {
        let plan = self
            .plan_body
            .clone()
            .unwrap_or(BodyPlan::Pass(PassReason::NoBody));
        if self.bypass {
            // The origin's response, for a developer comparing: nothing of vitrine's in it.
            return self.pass(PassReason::Bypass);
        }
        if let Some(work) = self.json_work() {
            self.streamed_body = true;
            // The listing's order depends on this visitor whenever affinity may move it.
            self.caching = self.caching.max(if work.plan.context().personal() {
                Caching::Personal
            } else {
                Caching::Shared
            });
            return BodyWork::Json(Box::new(work));
        }
        let enc = match plan {
            BodyPlan::Pass(reason) => return self.pass(reason),
            BodyPlan::RewriteHtml(_) if !self.head.streamed => return self.pass(PassReason::NoBody),
            BodyPlan::RewriteHtml(enc) => enc,
        };
        let Some(cfg) = self.cfg.clone() else {
            // Nothing of vitrine's applies: the origin's body goes back untouched, outside wasm.
            return self.pass(PassReason::NoConfig);
        };
        let work = self.page_work(cfg, enc);
        if work.facts.is_none() && work.personalize.is_none() && !work.shadow && work.badge.is_none() {
            return self.pass(PassReason::NothingToDo);
        }
        self.report.action = Some(Action::Html);
        self.streamed_body = true;
        BodyWork::Html(Box::new(work))
    }

    fn pass(&mut self, reason: PassReason) -> BodyWork {
        self.report.action = Some(Action::Pass(reason));
        BodyWork::Pass(reason)
    }

    fn page_work(&mut self, cfg: Rc<Config>, enc: lol_html::AsciiCompatibleEncoding) -> PageWork {
        let learns = self.who.as_ref().is_some_and(|w| w.visit.has_signal());
        // The page's candidate types: one, or several the markup decides between (markers).
        let candidates: Vec<Classified> = self
            .page
            .as_ref()
            .map(|p| Config::candidates(p).into_iter().cloned().collect())
            .unwrap_or_default();
        let gates = if candidates.len() > 1 || candidates.iter().any(|c| c.marker.is_some()) {
            Gate::all(candidates.iter().map(|c| c.marker.clone()).collect())
        } else {
            Vec::new()
        };
        let mut facts = None;
        let mut plans = Vec::new();
        let mut first_hero = None;
        let mut changes = false;
        for (i, c) in candidates.iter().enumerate() {
            if !self.document || c.kind == PageKind::Other {
                continue;
            }
            let (kind, pdp) = (c.kind, c.kind == PageKind::Pdp);
            let capture = |n: &str| c.capture(n).map(str::to_owned);
            let mut plan = Plan {
                gate: gates.get(i).cloned(),
                ..self.plan_for(&cfg, kind, capture("category"), capture("product"), None)
            };
            // What could change on this page: the grids or the gallery (if a rule may apply or
            // affinity does), the hero (if a variant was chosen).
            let regions = !cfg.grids.is_empty() || (pdp && cfg.gallery.is_some());
            let reorders = regions && rank::may_reorder(&cfg, &plan.context(), !pdp);
            // A page with a region vitrine may change depends on a personal visitor's state even
            // when nothing changes today: stored, it would hide tomorrow's change.
            if plan.context().personal() && (regions || (!pdp && cfg.hero.is_some())) {
                self.caching = Caching::Personal;
            }
            // Product facts: learned (with consent) and used for the product page's rule scopes.
            if pdp && !cfg.product_sources.is_empty() && (learns || reorders) {
                let probe = facts.get_or_insert_with(FactsProbe::default);
                plan.facts = Some(probe.clone());
            }
            let hero = plan.hero().map(|(h, _)| h);
            if plans.is_empty() {
                first_hero = hero.clone();
                self.report.hero = hero.as_ref().map(|h| h.variant.clone());
            }
            if reorders || hero.is_some() {
                if !cfg.grids.is_empty() && !pdp && self.report.plp.is_none() {
                    self.report.plp = Some(if plan.holdout {
                        Listing::Holdout
                    } else if plan.context().personal() {
                        Listing::Rank
                    } else {
                        Listing::Rules
                    });
                }
                changes = true;
                self.caching = self.caching.max(Caching::Shared);
            }
            plans.push(plan);
        }
        // Chain the candidates: each one's `otherwise` is the next.
        let plan = plans.into_iter().rev().fold(None::<Rc<Plan>>, |next, mut plan| {
            plan.otherwise = next;
            Some(Rc::new(plan))
        });
        let personalize = plan.clone().filter(|_| changes).map(|p| (p, first_hero));
        self.plan = plan;
        let shadow = self.document && cfg.has_shadow() && !cfg.grids.is_empty();
        if shadow && self.plan.is_none() {
            let kind = candidates.first().map_or(PageKind::Plp, |c| c.kind);
            self.plan = Some(Rc::new(self.plan_for(
                &cfg,
                kind,
                self.capture("category"),
                None,
                None,
            )));
        }
        PageWork {
            enc,
            hold: (learns && facts.is_some() && self.settings.qa.is_none()).then_some(cfg.learn_window),
            cfg: Some(cfg),
            facts,
            personalize,
            shadow,
            badge: self
                .settings
                .qa
                .as_ref()
                .filter(|_| self.document)
                .map(crate::qa::badge),
        }
    }

    fn json_work(&self) -> Option<JsonWork> {
        let cfg = self
            .cfg
            .as_ref()
            .filter(|_| self.method == "GET" && self.head.status == 200)
            .filter(|_| proxy::runtime_decodes(self.head.content_encoding.as_deref()))?;
        let json = self
            .head
            .content_type
            .as_deref()
            .is_some_and(|t| t.contains("json"));
        let (listing, captures) = cfg
            .json_listings
            .iter()
            .find_map(|l| l.pattern.matches(self.url.path()).map(|caps| (l.clone(), caps)))
            .filter(|_| json)?;
        let category = captures
            .iter()
            .find(|(k, _)| k == "category")
            .map(|(_, v)| v.clone())
            .or_else(|| {
                let param = listing.category_param.as_deref()?;
                self.url.param(param)
            });
        let plan = self.plan_for(cfg, listing.page, category, None, None);
        Some(JsonWork { listing, plan })
    }

    fn capture(&self, name: &str) -> Option<String> {
        self.page.as_ref()?.capture(name).map(str::to_owned)
    }

    /// The personalization plan of this request: the page, the visitor, the moment.
    fn plan_for(
        &self,
        cfg: &Rc<Config>,
        page: PageKind,
        category: Option<String>,
        product: Option<String>,
        facts: Option<FactsProbe>,
    ) -> Plan {
        let who = self.who.as_ref();
        let signal = who.and_then(|w| w.visit.signal.clone());
        Plan {
            packed: self.settings.packed.clone(),
            category: category.map(|c| c.to_lowercase()),
            query: self
                .url
                .param("q")
                .map(|q| crate::config::rules::normalize_query(&q)),
            // A QA session forced into the holdout sees what its control arm sees.
            holdout: signal.as_ref().is_some_and(|s| in_holdout(&s.id, cfg.holdout))
                || self
                    .settings
                    .qa
                    .as_ref()
                    .and_then(|p| p.visitor.as_ref())
                    .and_then(|v| v.get("holdout"))
                    .and_then(serde_json::Value::as_bool)
                    == Some(true),
            signal,
            consent: who.is_some_and(|w| w.visit.consent.allows_profile()),
            country: who.and_then(|w| w.country.clone()),
            device: who.map_or(crate::config::rules::Device::Desktop, |w| w.device),
            now: self.head.at_ms / 1000,
            product,
            facts,
            path: Some(Rc::from(self.url.path())),
            ..Plan::new(cfg.clone(), page)
        }
    }

    /// The product page's facts, read while its head was held (`None`: not found in the window).
    pub fn facts_read(&mut self, facts: Option<ProductFacts>) {
        // The product page the markup says this is (with markers: only once its marker was met).
        let Some(pdp) = self
            .plan
            .as_ref()
            .and_then(Plan::chosen)
            .filter(|p| p.page == PageKind::Pdp)
        else {
            return;
        };
        let product = pdp.product.clone();
        let Some(who) = self.who.as_mut() else { return };
        match facts {
            Some(mut facts) => {
                facts.key = facts.key.or(product);
                who.visit.record(Event::PdpView { product: facts });
            }
            None => self.report.learn_pdp_none = true,
        }
        if let Some((prefer, _)) = Some(&pdp)
            .filter(|_| self.caching != Caching::Origin)
            .and_then(|p| p.image())
        {
            self.report.img = Some(prefer.first().map_or("-", String::as_str).to_owned());
        }
    }

    /// What happened to a JSON listing.
    pub fn json_done(&mut self, note: JsonNote) {
        self.report.json = Some(note);
    }

    /// The response head, and the work for after it (`now_ms`: when the head leaves).
    pub fn finish(&mut self, now_ms: u64, names: &mut NameBook) -> Head {
        let mut head = Head::default();
        let edits = &mut head.edits;
        edits.push(Edit::Delete(crate::search::CACHED_AT.into()));
        if self.head.set_cookie {
            if self.forward.cookies_withheld {
                // The origin saw no cookie and minted its own (a session, a cart): passed on, it
                // would overwrite the visitor's real one.
                edits.push(Edit::Delete("set-cookie".into()));
            } else if !proxy::never_shared(self.head.cache_control.as_deref()) {
                // The origin's cookie is this visitor's: never on a response anyone may share.
                self.caching = Caching::Personal;
            }
        }
        if let Some(public) = self
            .head
            .location
            .as_deref()
            .and_then(|l| self.public_location(l))
        {
            edits.push(Edit::Set("location".into(), public));
        }
        if let Some(h) = self.identity_header().filter(|_| self.strip_identity()) {
            edits.push(Edit::Delete(h.to_owned()));
        }
        if let (Some(who), Some(cfg)) = (self.who.as_ref(), self.cfg.as_ref()) {
            let visit = &who.visit;
            visit.events.iter().for_each(|e| names.note_event(e));
            self.report.sig = Some(visit.sig());
            self.report.learn = visit.events.iter().map(Event::kind).collect();
            // A QA session learns nothing and keeps no signal of its own.
            let qa = self.settings.qa.is_some();
            if let Some(set) = visit.set_cookie(cfg, self.settings.keys.as_ref()).filter(|_| !qa) {
                edits.push(Edit::Append("set-cookie".into(), set));
                // A cookie of one visitor's never rides on a response anyone may store.
                self.caching = Caching::Personal;
            }
            // Off the response path: events to the collector, the customer profile to KV.
            head.after.collector =
                collector(&self.settings, who, self.url.path(), self.head.at_ms).filter(|_| !qa);
            let bought = !qa
                && visit
                    .events
                    .iter()
                    .any(|e| matches!(e, Event::AddToCart { .. } | Event::CheckoutComplete { .. }));
            if (self.stitched && !qa) || bought {
                head.after.profile = profile(&self.settings, visit);
            }
        }
        for (name, value) in self.caching.headers() {
            edits.push(match value {
                Some(v) => Edit::Set(name.into(), v.into()),
                None => Edit::Delete(name.into()),
            });
        }
        // The browser holds this very page: its conditional request, held back from the origin,
        // is answered here (only for a page that went out untouched).
        if self.caching == Caching::Origin
            && !self.streamed_body
            && self.head.status == 200
            && self
                .conditional
                .matches(self.head.etag.as_deref(), self.head.last_modified.as_deref())
        {
            head.status = Some(304);
            edits.push(Edit::Delete("content-length".into()));
        }
        self.report.cfg = Some(self.settings.status.clone());
        let timing = Timing {
            origin_ms: (!self.from_edge_cache)
                .then(|| self.head.at_ms.saturating_sub(self.started_ms) as f64),
            edge_ms: now_ms.saturating_sub(self.head.at_ms) as f64,
        };
        edits.push(Edit::Append("server-timing".into(), timing.server_timing()));
        edits.push(Edit::Set(HEADER.into(), self.report.to_string()));
        if self.streamed_body {
            // The body changes length once rewriting does anything; a stale Content-Length would
            // truncate or hang the response (pingora's `modify_response` does the same).
            edits.push(Edit::Delete("content-length".into()));
        }
        head
    }

    fn strip_identity(&self) -> bool {
        self.cfg
            .as_ref()
            .and_then(|c| c.identity.as_ref())
            .is_some_and(|i| i.strip_header)
    }

    fn public_location(&self, location: &str) -> Option<String> {
        let origin = self.settings.origin.as_ref().ok()?;
        origin.public_location(location, &self.public_base())
    }

    /// `scheme://host` the visitor should be sent back to: the request's host when the config
    /// lists it in `site.hosts` (or lists none), else the first listed host, so a redirect is
    /// never built from whatever `Host` a client sent.
    fn public_base(&self) -> String {
        let hosts = self.cfg.as_ref().map(|c| c.hosts.as_slice()).unwrap_or_default();
        match hosts.first() {
            Some(first) if !hosts.iter().any(|h| h.eq_ignore_ascii_case(self.url.host())) => {
                format!("{}://{first}", self.url.scheme())
            }
            _ => self.url.origin(),
        }
    }

    /// The `x-vitrine` report so far.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// The end-of-page reports this page needs, given what its handlers found.
    pub fn end_of_page(&self, handles: crate::rewrite::page::Handles) -> Option<EndOfPage> {
        if handles.report.is_none() && handles.tiles.is_none() {
            return None;
        }
        let who = self.who.as_ref();
        Some(EndOfPage {
            settings: self.settings.clone(),
            plan: match &handles.report {
                Some(report) => report.plan(),
                None => self.plan.clone()?,
            },
            consent: who.map(|w| w.visit.consent),
            country: who.and_then(|w| w.country.clone()),
            path: self.url.path().to_owned(),
            view: who.and_then(|w| w.view.clone()),
            now_ms: self.head.at_ms,
            report: handles.report,
            tiles: handles.tiles,
        })
    }
}

/// The request to the origin: same method, headers (less hop-by-hop ones and cookies on page
/// requests), our cookie never; the public host and scheme in `X-Forwarded-*`.
fn forward(
    incoming: &Incoming,
    settings: &Settings,
    cfg: Option<&Config>,
    page: Option<&Classified>,
) -> (Forward, Conditional) {
    // Pages are fetched without the visitor's cookies (unless the config says otherwise), so the
    // origin's answer is the same for everyone and cacheable by URL; personalization happens on
    // the way out. Other requests (cart, checkout, APIs) keep their cookies, less ours: the origin
    // has no use for it, and a visitor-specific cookie must not become part of what it caches.
    let cacheable_page = page.is_some_and(|p| p.kind.is_storefront_page())
        && incoming.is("GET")
        && cfg.is_some_and(|c| !c.forward_cookies);
    let cookie = match (cfg, incoming.header("cookie")) {
        _ if cacheable_page => None,
        (Some(c), Some(h)) => cookie::without(h, &c.cookie.name),
        (_, h) => h.map(str::to_owned),
    };
    // Headers the request's own `Connection` header names are hop-by-hop too.
    let named_hop: Vec<String> = incoming
        .header("connection")
        .map(|c| c.split(',').map(|t| t.trim().to_ascii_lowercase()).collect())
        .unwrap_or_default();
    let admin_path = incoming.path().starts_with("/__vitrine/");
    let mut headers: Vec<(String, String)> = incoming
        .headers
        .iter()
        .filter(|(n, _)| {
            // An admin token meant for vitrine never reaches the origin.
            let admin_token = admin_path && n.eq_ignore_ascii_case("authorization");
            let dropped = proxy::is_hop_by_hop(n)
                || named_hop.iter().any(|h| h.eq_ignore_ascii_case(n))
                || n.eq_ignore_ascii_case("cookie")
                || proxy::is_client_forwarding(n)
                || admin_token;
            !dropped
        })
        .cloned()
        .collect();
    // On a page vitrine may change, the origin never sees the browser's validators: its `304`
    // would make the browser show what it stored, not what this visitor gets now.
    let mut conditional = Conditional::default();
    let may_change = incoming.is("GET")
        && cfg.is_some_and(|c| {
            page.is_some_and(|p| p.kind.is_storefront_page())
                || c.json_listings
                    .iter()
                    .any(|l| l.pattern.matches(incoming.path()).is_some())
        });
    if may_change {
        let take = |name: &str, headers: &mut Vec<(String, String)>| {
            let value = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone());
            headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
            value
        };
        conditional.if_none_match = take(proxy::CONDITIONAL_HEADERS[0], &mut headers);
        conditional.if_modified_since = take(proxy::CONDITIONAL_HEADERS[1], &mut headers);
    }
    if let Some(c) = cookie {
        headers.push(("cookie".into(), c));
    }
    // Who asked, as the CDN saw it (never as the client claims it).
    if let Some(ip) = incoming.header("cf-connecting-ip") {
        headers.push(("x-forwarded-for".into(), ip.to_owned()));
    }
    headers.push(("x-forwarded-host".into(), incoming.url.authority()));
    headers.push(("x-forwarded-proto".into(), incoming.url.scheme().to_owned()));
    let path_and_query = match cfg.and_then(|c| c.debug.bypass_param.as_deref()) {
        Some(param) => incoming.path_and_query_without(param),
        None => incoming.path_and_query(),
    };
    let url = settings
        .origin
        .as_ref()
        .map(|o| o.url_for(&path_and_query))
        .unwrap_or_default();
    (
        Forward {
            url,
            method: incoming.method.clone(),
            headers,
            cookies_withheld: cacheable_page,
        },
        conditional,
    )
}

/// Events the request itself shows: a listing view, a search, an add-to-cart, a completed checkout.
fn request_events(page: &Classified, url: &RequestUrl, status: u16, document: bool) -> Vec<Event> {
    let ok = status < 400;
    let event = match page.kind {
        PageKind::Plp if document => page.capture("category").map(|category| Event::PlpView {
            category: category.to_owned(),
        }),
        PageKind::Search if document => Some(Event::Search {
            query: url
                .param("q")
                .map(|q| q.chars().take(128).collect())
                .unwrap_or_default(),
            results: None,
            served: None,
            latency_ms: None,
            next: None,
        }),
        PageKind::CartAdd if ok => Some(Event::AddToCart {
            product: ProductFacts {
                key: page.capture("product").map(str::to_owned),
                ..ProductFacts::default()
            },
        }),
        PageKind::CheckoutComplete if ok => Some(Event::CheckoutComplete {
            revenue: None,
            items: None,
        }),
        _ => None,
    };
    event.into_iter().collect()
}

fn profile_key(customer_key: &[u8; 8]) -> String {
    format!("profile:{}", to_hex(customer_key))
}

/// A stitched visitor's profile (signed, like the cookie) under their customer key.
fn profile(settings: &Settings, visit: &crate::visit::Visit) -> Option<(String, String)> {
    let (signal, keys) = (visit.signal.as_ref()?, settings.keys.as_ref()?);
    let ck = signal.customer_key?;
    Some((profile_key(&ck), cookie::encode(signal, keys)))
}

/// What the end-of-page reports need: the exposure event (what was actually rendered) and the
/// shadow comparison, both sent once the whole page has streamed past.
pub struct EndOfPage {
    settings: Rc<Settings>,
    plan: Rc<Plan>,
    consent: Option<crate::signal::consent::Consent>,
    country: Option<String>,
    path: String,
    view: Option<String>,
    now_ms: u64,
    report: Option<personalize::Report>,
    tiles: Option<Rc<TileReader>>,
}

impl EndOfPage {
    /// Log lines (what was rendered, what shadow rules would change) and the collector batch
    /// (only with consent, with the pseudonymous id).
    pub fn reports(&self) -> (Vec<String>, Option<(String, String)>) {
        let mut logs = Vec::new();
        let mut events = Vec::new();
        if let Some(report) = &self.report {
            let outcome = report.snapshot();
            let summary = outcome.summary();
            if !summary.is_empty() {
                logs.push(format!("vitrine: {} {summary}", self.path));
            }
            events.push(serde_json::json!({
                "type": "exposure",
                "page": self.plan.page.token(),
                "version": self.settings.version,
                "summary": summary,
                "regions": outcome.regions,
                "rules": outcome.fired.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(),
                "hero_swaps": outcome.hero_swaps,
                "hero": self.plan.hero().filter(|_| outcome.hero_swaps > 0).map(|(h, _)| h.variant),
                "image": outcome.image,
            }));
        }
        let tiles = self.tiles.as_ref().map(|t| t.tiles()).unwrap_or_default();
        self.shadow(&tiles, &mut logs, &mut events);
        let (Some(url), Some(signal), Some(consent)) = (
            self.settings.collector.clone(),
            self.plan.signal.as_ref(),
            self.consent,
        ) else {
            return (logs, None);
        };
        let body = crate::events::batch(
            signal,
            &rank::arms(&self.plan.cfg, &signal.id),
            (
                consent.token(),
                &self.path,
                self.country.as_deref(),
                self.view.as_deref(),
            ),
            self.now_ms,
            &events,
        );
        (logs, body.map(|b| (url, b)))
    }

    fn shadow(&self, tiles: &Tiles, logs: &mut Vec<String>, events: &mut Vec<serde_json::Value>) {
        let cfg = &self.plan.cfg;
        let ctx = self.plan.context();
        let lookup = crate::catalog::lookup(cfg, self.plan.packed.as_deref());
        for (grid, tiles) in cfg.grids.iter().zip(tiles) {
            let items: Vec<Item> = tiles
                .iter()
                .map(|t| Item::from_catalog(&lookup, t.key.as_deref(), t.clone()))
                .collect();
            let ctx = rank::Context {
                grid: Some(grid.name.clone()),
                ..ctx.clone()
            };
            let diff = ShadowDiff::of(cfg, &items, &ctx);
            if !diff.changes() {
                continue;
            }
            let key = |i: &usize| items.get(*i).and_then(|t| t.key.clone()).unwrap_or_default();
            let (live, shadow): (Vec<String>, Vec<String>) = (
                diff.live.order.iter().map(key).collect(),
                diff.shadow.order.iter().map(key).collect(),
            );
            logs.push(format!(
                "vitrine shadow: {} grid {:?}: rules {:?} would serve {:?} instead of {:?}",
                self.path,
                grid.name,
                diff.rules(),
                shadow.iter().take(8).collect::<Vec<_>>(),
                live.iter().take(8).collect::<Vec<_>>()
            ));
            events.push(serde_json::json!({
                "type": "shadow",
                "grid": grid.name,
                "rules": diff.rules(),
                "live": live,
                "shadow": shadow,
                "version": self.settings.version,
            }));
        }
    }
}
