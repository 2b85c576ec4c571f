//! Every branch of the request plan, natively: routing, what reaches the origin, learning,
//! stitching, the body work, personalization for each kind of visitor, caching, the report, and
//! the work after the response.

use std::rc::Rc;

use super::exchange::{Edit, Head};
use super::*;
use crate::proxy::PassReason;
use crate::report::{JsonNote, Sig};
use crate::settings::Vars;
use crate::signal::cookie::{self, Keyring};
use crate::signal::{ConsentBasis, Signal};
use crate::visit::Status;

pub(crate) const KEYS: &str = "1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
const IDENTITY: &str = "test-identity-key-0123456789abcdef0123456789";
const DEMO: &str = include_str!("../../www/vitrine.config.json");
const UA: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
const NOW: u64 = 1_795_000_000_000;

pub(crate) fn settings_with(config: Option<&str>) -> Rc<Settings> {
    let vars = Vars {
        origin: Some("http://origin.test:8788".into()),
        config: config.map(str::to_owned),
        signal_keys: Some(KEYS.into()),
        identity_key: Some(IDENTITY.into()),
        collector: Some("http://collector.test/collect".into()),
        admin_token: Some("admin-token-0123456789".into()),
        ..Vars::default()
    };
    Rc::new(Settings::build(&vars, None, None).0)
}

fn demo() -> Rc<Settings> {
    settings_with(Some(DEMO))
}

/// A browser's document request from the US (opt-out jurisdiction: consent by default).
pub(crate) fn request(method: &str, path: &str, extra: &[(&str, &str)]) -> Incoming {
    let mut headers: Vec<(String, String)> = vec![
        ("user-agent".into(), UA.into()),
        ("accept".into(), "text/html".into()),
        ("sec-fetch-dest".into(), "document".into()),
        ("x-vitrine-country".into(), "US".into()),
        ("host".into(), "shop.test".into()),
    ];
    for (k, v) in extra {
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(k));
        headers.push(((*k).to_owned(), (*v).to_owned()));
    }
    Incoming {
        method: method.into(),
        url: crate::request_url::RequestUrl::parse(&format!("https://shop.test{path}")).unwrap(),
        headers,
        cf_country: Some("US".into()),
        now_ms: NOW,
        fresh_id: Some([7; 12]),
    }
}

fn route(incoming: Incoming, settings: &Rc<Settings>) -> Route {
    request_route(incoming, settings)
}

fn request_route(incoming: Incoming, settings: &Rc<Settings>) -> Route {
    super::request(incoming, settings)
}

fn exchange(incoming: Incoming, settings: &Rc<Settings>) -> Exchange {
    match route(incoming, settings) {
        Route::Origin(x) => *x,
        _ => panic!("not an origin request"),
    }
}

fn head(status: u16, content_type: &str) -> OriginHead {
    OriginHead {
        status,
        content_type: Some(content_type.into()),
        cache_control: Some("public, max-age=60, s-maxage=300".into()),
        streamed: true,
        at_ms: NOW + 20,
        ..OriginHead::default()
    }
}

/// A known visitor's cookie: `customer`, and brand interests.
fn cookie_of(customer: bool, brands: &[(&str, u8)]) -> String {
    let keys = Keyring::parse(KEYS).unwrap();
    let mut s = Signal::new([3; 12], 900_000, ConsentBasis::Default);
    s.customer = customer;
    for (b, w) in brands {
        s.brands.push(crate::signal::Affinity {
            hash: crate::signal::name_hash(b),
            weight: *w,
        });
    }
    format!("vt={}", cookie::encode(&s, &keys))
}

fn forwarded(x: &Exchange, name: &str) -> Option<String> {
    x.forward
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}

fn finish(x: &mut Exchange) -> Head {
    x.finish(NOW + 25, &mut crate::visit::NameBook::default())
}

fn set_of(head: &Head, name: &str) -> Option<String> {
    head.edits.iter().find_map(|e| match e {
        Edit::Set(n, v) if n == name => Some(v.clone()),
        _ => None,
    })
}

fn appended(head: &Head, name: &str) -> Vec<String> {
    head.edits
        .iter()
        .filter_map(|e| match e {
            Edit::Append(n, v) if n == name => Some(v.clone()),
            _ => None,
        })
        .collect()
}

fn deleted(head: &Head, name: &str) -> bool {
    head.edits
        .iter()
        .any(|e| matches!(e, Edit::Delete(n) if n == name))
}

fn html_work(x: &mut Exchange) -> crate::rewrite::page::PageWork {
    match x.body() {
        BodyWork::Html(w) => *w,
        _ => panic!("not HTML work"),
    }
}

// --- Routing -------------------------------------------------------------------------------

#[test]
fn an_unusable_origin_is_a_misconfiguration_for_every_request() {
    let vars = Vars {
        origin: Some("ftp://nope".into()),
        ..Vars::default()
    };
    let settings = Rc::new(Settings::build(&vars, None, None).0);
    for path in ["/", "/__vitrine/config/schema"] {
        assert!(matches!(
            route(request("GET", path, &[]), &settings),
            Route::Misconfigured(_)
        ));
    }
}

#[test]
fn vitrines_own_endpoints() {
    let s = demo();
    let is = |r: Route, f: fn(&Endpoint) -> bool| matches!(r, Route::Endpoint(ref e) if f(e));
    assert!(is(
        route(request("GET", "/__vitrine/config/schema", &[]), &s),
        |e| matches!(e, Endpoint::Schema)
    ));
    assert!(is(
        route(request("GET", "/__vitrine/whoami", &[]), &s),
        |e| matches!(e, Endpoint::Whoami(_))
    ));
    assert!(is(
        route(request("POST", "/__vitrine/events", &[]), &s),
        |e| matches!(e, Endpoint::Events(_))
    ));
    assert!(is(
        route(request("GET", "/__vitrine/events", &[]), &s),
        |e| matches!(e, Endpoint::EventsMethod)
    ));
    assert!(is(
        route(request("PUT", "/__vitrine/config", &[]), &s),
        |e| matches!(e, Endpoint::Unauthorized)
    ));
    let auth = [("authorization", "Bearer admin-token-0123456789")];
    assert!(is(
        route(request("PUT", "/__vitrine/config", &auth), &s),
        |e| matches!(e, Endpoint::Admin(crate::admin::AdminOp::PutConfig))
    ));
    assert!(is(
        route(request("DELETE", "/__vitrine/config", &auth), &s),
        |e| matches!(e, Endpoint::Admin(crate::admin::AdminOp::NotAllowed))
    ));
    // Unknown vitrine paths belong to the origin.
    assert!(matches!(
        route(request("GET", "/__vitrine/nope", &[]), &s),
        Route::Origin(_)
    ));
}

#[test]
fn switched_off_endpoints_are_the_origins_paths() {
    // No admin token: the admin surface does not exist.
    let vars = Vars {
        origin: Some("http://o.test".into()),
        config: Some(r#"{"version":1}"#.into()),
        ..Vars::default()
    };
    let s = Rc::new(Settings::build(&vars, None, None).0);
    assert!(matches!(
        route(request("PUT", "/__vitrine/config", &[]), &s),
        Route::Origin(_)
    ));
    // whoami off in this config; events need a config to learn with.
    assert!(matches!(
        route(request("GET", "/__vitrine/whoami", &[]), &s),
        Route::Origin(_)
    ));
    let none = settings_with(None);
    assert!(matches!(
        route(request("POST", "/__vitrine/events", &[]), &none),
        Route::Origin(_)
    ));
}

#[test]
fn the_search_api_is_answered_at_the_edge_only_for_gets_with_a_live_config() {
    let s = demo();
    assert!(matches!(
        route(request("GET", "/api/search?q=boots", &[]), &s),
        Route::Search(_)
    ));
    assert!(matches!(
        route(request("POST", "/api/search?q=boots", &[]), &s),
        Route::Origin(_)
    ));
    let bypass = [("x-vitrine-bypass", "1")];
    assert!(matches!(
        route(request("GET", "/api/search?q=boots", &bypass), &s),
        Route::Origin(_)
    ));
    // A refused query is answered at the edge with a 400.
    let Route::Search(mut api) = route(
        request("GET", &format!("/api/search?q={}", "x".repeat(101)), &[]),
        &s,
    ) else {
        panic!()
    };
    let refused = api.take_flow().unwrap_err();
    assert_eq!(
        (refused.status, refused.header("x-vitrine")),
        (400, Some("search=refused"))
    );
}

#[test]
fn the_search_page_goes_through_its_flow_and_a_refused_query_is_fetched_plainly() {
    let s = demo();
    let x = exchange(request("GET", "/search?q=boots", &[]), &s);
    assert!(x.search_page.is_some());
    let mut refused = exchange(request("GET", &format!("/search?q={}", "y".repeat(101)), &[]), &s);
    assert!(refused.search_page.is_none());
    refused.respond(head(200, "text/html"));
    let _ = refused.body();
    assert!(finish(&mut refused)
        .edits
        .contains(&Edit::Set("x-vitrine".into(), refused.report().to_string())));
    assert!(refused.report().to_string().contains("search=passthrough"));
    assert!(exchange(request("GET", "/c/shoes", &[]), &s)
        .search_page
        .is_none());
}

// --- What reaches the origin -----------------------------------------------------------------

#[test]
fn page_requests_reach_the_origin_without_the_visitors_cookies() {
    let s = demo();
    let jar = [("cookie", "vt=abc; session=s1; consent=all")];
    for path in ["/", "/c/shoes", "/p/a-slug", "/search?q=x"] {
        let x = exchange(request("GET", path, &jar), &s);
        assert_eq!(forwarded(&x, "cookie"), None, "{path}");
    }
    // Cart, checkout, APIs and unknown pages keep their cookies, less vitrine's own.
    for (method, path) in [
        ("POST", "/cart/add"),
        ("POST", "/checkout/complete"),
        ("GET", "/account"),
    ] {
        let x = exchange(request(method, path, &jar), &s);
        assert_eq!(
            forwarded(&x, "cookie").as_deref(),
            Some("session=s1; consent=all"),
            "{path}"
        );
    }
    // A jar with only vitrine's cookie sends none.
    let x = exchange(request("GET", "/account", &[("cookie", "vt=abc")]), &s);
    assert_eq!(forwarded(&x, "cookie"), None);
}

#[test]
fn cookies_reach_the_origin_on_pages_when_the_config_says_so_and_without_a_config() {
    let s = settings_with(Some(
        r#"{"version":1,"site":{"pages":[{"type":"plp","path":"/c/{category}"}],"forward_cookies":true}}"#,
    ));
    let x = exchange(
        request("GET", "/c/shoes", &[("cookie", "vt=abc; session=s1")]),
        &s,
    );
    assert_eq!(forwarded(&x, "cookie").as_deref(), Some("session=s1"));
    let none = settings_with(None);
    let x = exchange(
        request("GET", "/c/shoes", &[("cookie", "vt=abc; session=s1")]),
        &none,
    );
    assert_eq!(
        forwarded(&x, "cookie").as_deref(),
        Some("vt=abc; session=s1"),
        "no config: a transparent proxy"
    );
}

#[test]
fn the_origin_request_keeps_end_to_end_headers_and_says_where_it_came_from() {
    let s = demo();
    let x = exchange(
        request(
            "GET",
            "/c/shoes?page=2",
            &[
                ("connection", "keep-alive"),
                ("te", "trailers"),
                ("x-forwarded-host", "evil.test"),
                ("accept-language", "en-GB"),
            ],
        ),
        &s,
    );
    assert_eq!(x.forward.url, "http://origin.test:8788/c/shoes?page=2");
    assert_eq!(x.forward.method, "GET");
    for gone in ["connection", "te", "host"] {
        assert_eq!(forwarded(&x, gone), None, "{gone}");
    }
    assert_eq!(forwarded(&x, "accept-language").as_deref(), Some("en-GB"));
    assert_eq!(forwarded(&x, "x-forwarded-host").as_deref(), Some("shop.test"));
    assert_eq!(forwarded(&x, "x-forwarded-proto").as_deref(), Some("https"));
    assert_eq!(
        x.forward
            .headers
            .iter()
            .filter(|(n, _)| n == "x-forwarded-host")
            .count(),
        1
    );
}

#[test]
fn what_the_client_claims_about_the_connection_never_reaches_the_origin() {
    let s = demo();
    let x = exchange(
        request(
            "GET",
            "/c/shoes",
            &[
                ("connection", "keep-alive, X-Secret-Hop"),
                ("x-secret-hop", "1"),
                ("x-forwarded-for", "127.0.0.1"),
                ("forwarded", "for=127.0.0.1"),
                ("x-real-ip", "127.0.0.1"),
                ("cf-connecting-ip", "203.0.113.7"),
            ],
        ),
        &s,
    );
    for gone in ["x-secret-hop", "forwarded", "x-real-ip"] {
        assert_eq!(forwarded(&x, gone), None, "{gone}");
    }
    assert_eq!(
        forwarded(&x, "x-forwarded-for").as_deref(),
        Some("203.0.113.7"),
        "the CDN's word, not the client's"
    );
    // An admin token on a path the worker does not serve (its admin surface off) stays here.
    let no_admin = Rc::new(
        Settings::build(
            &Vars {
                origin: Some("http://origin.test:8788".into()),
                config: Some(DEMO.into()),
                signal_keys: Some(KEYS.into()),
                ..Vars::default()
            },
            None,
            None,
        )
        .0,
    );
    let x = exchange(
        request("GET", "/__vitrine/config", &[("authorization", "Bearer secret")]),
        &no_admin,
    );
    assert_eq!(forwarded(&x, "authorization"), None);
    let y = exchange(
        request("GET", "/account", &[("authorization", "Basic dXNlcg==")]),
        &no_admin,
    );
    assert!(
        forwarded(&y, "authorization").is_some(),
        "the storefront's own auth still works"
    );
}

#[test]
fn an_origin_cookie_minted_for_a_cookie_less_fetch_never_reaches_the_visitor() {
    let s = demo();
    // A page: fetched without the visitor's cookies; the origin mints a session anyway.
    let mut x = exchange(request("GET", "/c/shoes", &[("cookie", "session=real")]), &s);
    assert!(x.forward.cookies_withheld && forwarded(&x, "cookie").is_none());
    x.respond(OriginHead {
        set_cookie: true,
        ..head_(200)
    });
    let _ = x.body();
    let h = finish(&mut x);
    let delete = h
        .edits
        .iter()
        .position(|e| matches!(e, Edit::Delete(n) if n == "set-cookie"));
    let ours = h
        .edits
        .iter()
        .position(|e| matches!(e, Edit::Append(n, _) if n == "set-cookie"));
    assert!(
        delete.is_some() && delete < ours,
        "the origin's cookie goes, vitrine's own follows: {:?}",
        h.edits
    );
    // The cart: the visitor's cookies went, so the origin's cookie is theirs; never stored.
    let mut cart = exchange(
        request(
            "POST",
            "/cart/add",
            &[("cookie", "session=real"), ("sec-fetch-dest", "empty")],
        ),
        &s,
    );
    assert!(!cart.forward.cookies_withheld);
    cart.respond(OriginHead {
        set_cookie: true,
        cache_control: Some("public, max-age=60".into()),
        ..head(200, "application/json")
    });
    let _ = cart.body();
    let h = finish(&mut cart);
    assert!(!deleted(&h, "set-cookie"));
    assert_eq!(set_of(&h, "cache-control").as_deref(), Some("private, no-store"));
}

#[test]
fn redirects_go_back_to_a_host_the_config_lists_never_to_a_client_supplied_one() {
    let cfg = DEMO.replacen(
        r#""site": {"#,
        r#""site": { "hosts": ["shop.test", "www.shop.test"],"#,
        1,
    );
    assert_ne!(cfg, DEMO);
    let s = settings_with(Some(&cfg));
    let location = |host: &str| {
        let mut incoming = request("GET", "/sale", &[]);
        incoming.url = crate::request_url::RequestUrl::parse(&format!("https://{host}/sale")).unwrap();
        let mut x = exchange(incoming, &s);
        x.respond(OriginHead {
            location: Some("http://origin.test:8788/c/outerwear".into()),
            ..head_(302)
        });
        let _ = x.body();
        set_of(&finish(&mut x), "location")
    };
    assert_eq!(
        location("www.shop.test").as_deref(),
        Some("https://www.shop.test/c/outerwear")
    );
    assert_eq!(
        location("evil.example").as_deref(),
        Some("https://shop.test/c/outerwear")
    );
}

#[test]
fn a_body_the_runtime_did_not_decode_passes_and_says_so() {
    let s = demo();
    for (encoding, rewritten) in [
        (None, true),
        (Some("gzip"), true),
        (Some("br"), true),
        (Some("deflate"), false),
        (Some("zstd"), false),
    ] {
        let mut x = exchange(request("GET", "/c/shoes", &[]), &s);
        x.respond(OriginHead {
            content_encoding: encoding.map(str::to_owned),
            ..head_(200)
        });
        let work = x.body();
        assert_eq!(matches!(work, BodyWork::Html(_)), rewritten, "{encoding:?}");
        if !rewritten {
            assert!(matches!(work, BodyWork::Pass(PassReason::Encoding)));
            let report = set_of(&finish(&mut x), "x-vitrine").unwrap();
            assert!(
                report.starts_with("pass;why=encoding") && !report.contains("plp="),
                "{report}"
            );
        }
    }
}

// --- Learning and stitching -------------------------------------------------------------------

#[test]
fn requests_teach_what_they_show() {
    let s = demo();
    let learned = |method: &str, path: &str, status: u16, ct: &str, extra: &[(&str, &str)]| {
        let mut x = exchange(request(method, path, extra), &s);
        x.respond(head(status, ct));
        let _ = x.body();
        finish(&mut x);
        x.report().learn.clone()
    };
    assert_eq!(learned("GET", "/c/shoes", 200, "text/html", &[]), vec!["plp"]);
    assert_eq!(
        learned("GET", "/search?q=boots", 200, "text/html", &[]),
        vec!["search"]
    );
    // A listing fetched as a subresource is not a view.
    assert!(learned(
        "GET",
        "/c/shoes",
        200,
        "text/html",
        &[("sec-fetch-dest", "empty")]
    )
    .is_empty());
    assert_eq!(learned("POST", "/cart/add", 303, "text/html", &[]), vec!["cart"]);
    assert!(
        learned("POST", "/cart/add", 500, "text/html", &[]).is_empty(),
        "a failed add teaches nothing"
    );
    assert_eq!(
        learned("POST", "/checkout/complete", 200, "text/html", &[]),
        vec!["checkout"]
    );
}

#[test]
fn a_signed_in_customer_is_looked_up_once_and_stitched() {
    let s = demo();
    let mut x = exchange(request("GET", "/c/shoes", &[]), &s);
    assert_eq!(x.identity_header(), Some("x-customer-id"));
    let lookup = x
        .respond(OriginHead {
            customer: Some("cust-42".into()),
            ..head(200, "text/html")
        })
        .expect("a lookup for the signed-in customer");
    assert!(lookup.key.starts_with("profile:"));
    let mut stored = Signal::new([9; 12], 800_000, ConsentBasis::Default);
    stored.customer = true;
    let keys = Keyring::parse(KEYS).unwrap();
    x.stitched(lookup.clone(), Some(cookie::encode(&stored, &keys)));
    let _ = x.body();
    let head = finish(&mut x);
    let (key, _) = head.after.profile.clone().expect("a stitched profile is saved");
    assert_eq!(key, lookup.key);
    assert!(
        deleted(&head, "x-customer-id"),
        "the identity header never reaches the visitor"
    );
    // Nothing to look up without a customer, or for a bot.
    let mut anon = exchange(request("GET", "/c/shoes", &[]), &s);
    assert!(anon.respond(head_(200)).is_none());
    let mut bot = exchange(request("GET", "/c/shoes", &[("user-agent", "Googlebot/2.1")]), &s);
    assert!(bot
        .respond(OriginHead {
            customer: Some("cust-42".into()),
            ..head_(200)
        })
        .is_none());
}

fn head_(status: u16) -> OriginHead {
    head(status, "text/html")
}

#[test]
fn a_profile_is_saved_after_a_purchase_step_only_for_a_stitched_visitor() {
    let s = demo();
    let keys = Keyring::parse(KEYS).unwrap();
    let mut bound = Signal::new([3; 12], 900_000, ConsentBasis::Default);
    bound.customer_key = Some([1; 8]);
    let jar = format!("vt={}", cookie::encode(&bound, &keys));
    let mut x = exchange(request("POST", "/cart/add", &[("cookie", &jar)]), &s);
    x.respond(head_(303));
    let _ = x.body();
    assert!(finish(&mut x).after.profile.is_some());
    let mut y = exchange(request("POST", "/cart/add", &[]), &s);
    y.respond(head_(303));
    let _ = y.body();
    assert!(
        finish(&mut y).after.profile.is_none(),
        "no customer key, no profile"
    );
}

// --- The body ---------------------------------------------------------------------------------

#[test]
fn what_is_not_a_200_html_document_passes() {
    let s = demo();
    let pass = |method: &str, path: &str, h: OriginHead| {
        let mut x = exchange(request(method, path, &[]), &s);
        x.respond(h);
        match x.body() {
            BodyWork::Pass(r) => Some(r),
            _ => None,
        }
    };
    assert_eq!(
        pass("GET", "/static/a.css", head(200, "text/css")),
        Some(PassReason::NotHtml)
    );
    assert_eq!(
        pass("GET", "/c/shoes", head(404, "text/html")),
        Some(PassReason::Status)
    );
    assert_eq!(
        pass("HEAD", "/c/shoes", head(200, "text/html")),
        Some(PassReason::NoBody)
    );
    let no_body = OriginHead {
        streamed: false,
        ..head_(200)
    };
    assert_eq!(pass("GET", "/c/shoes", no_body), Some(PassReason::NoBody));
    assert_eq!(
        pass("GET", "/c/shoes", head(200, "text/html; charset=utf-16")),
        Some(PassReason::Charset)
    );
}

#[test]
fn json_listings_take_their_category_from_the_path_or_a_parameter() {
    let s = settings_with(Some(
        r#"{"version":1,"site":{"json_listings":[
            {"path":"/api/c/{category}","items":"/items","key":"id"},
            {"path":"/api/products","items":"/products","key":"sku","category_param":"category"}]}}"#,
    ));
    let category = |path: &str, status: u16, ct: &str| {
        let mut x = exchange(request("GET", path, &[("accept", "application/json")]), &s);
        x.respond(head(status, ct));
        match x.body() {
            BodyWork::Json(j) => Some(j.plan.category.clone()),
            _ => None,
        }
    };
    assert_eq!(
        category("/api/c/Shoes", 200, "application/json"),
        Some(Some("shoes".into()))
    );
    assert_eq!(
        category("/api/products?category=Bags", 200, "application/json"),
        Some(Some("bags".into()))
    );
    assert_eq!(
        category("/api/products", 200, "application/json; charset=utf-8"),
        Some(None)
    );
    assert_eq!(
        category("/api/products", 200, "text/html"),
        None,
        "not JSON: not a listing"
    );
    assert_eq!(
        category("/api/products", 500, "application/json"),
        None,
        "not a 200"
    );
}

#[test]
fn a_json_listing_is_reordered_within_the_rules_with_item_bytes_kept() {
    let s = settings_with(Some(
        r#"{"version":1,"site":{"json_listings":[{"path":"/api/products","items":"/products","key":"sku"}]},
            "rules":[{"id":"p","pin":{"product":"B","position":1}}]}"#,
    ));
    let mut x = exchange(request("GET", "/api/products", &[]), &s);
    x.respond(head(200, "application/json"));
    let BodyWork::Json(work) = x.body() else { panic!() };
    let (out, note) = work.reorder(br#"{"products":[{"sku":"A"}, {"sku":"B"}]}"#);
    assert_eq!(note, JsonNote::Reordered(2));
    assert_eq!(
        out.unwrap(),
        br#"{"products":[{"sku":"B"}, {"sku":"A"}]}"#.to_vec()
    );
    assert_eq!(
        work.reorder(b"[]").1,
        JsonNote::Pass(crate::report::JsonPass::NoItems)
    );
    x.json_done(note);
    let head = finish(&mut x);
    assert!(set_of(&head, "cache-control").unwrap().starts_with("private"));
    assert!(set_of(&head, "x-vitrine").unwrap().contains("json=reordered:2"));
    assert!(deleted(&head, "content-length"));
}

#[test]
fn html_without_a_config_passes_untouched_outside_wasm() {
    let s = settings_with(None);
    let mut x = exchange(request("GET", "/c/shoes", &[]), &s);
    x.respond(head_(200));
    assert!(matches!(x.body(), BodyWork::Pass(PassReason::NoConfig)));
    let head = finish(&mut x);
    assert_eq!(
        set_of(&head, "x-vitrine").as_deref(),
        Some("pass;why=no-config;cfg=none")
    );
    assert_eq!(
        set_of(&head, "cache-control"),
        None,
        "nothing personal: the origin's caching stays"
    );
    assert!(
        !deleted(&head, "content-length"),
        "an untouched body keeps its length"
    );
}

#[test]
fn a_product_page_is_held_for_its_facts_only_when_the_visitor_can_learn() {
    let s = demo();
    let mut x = exchange(request("GET", "/p/a-slug", &[]), &s);
    x.respond(head_(200));
    let w = html_work(&mut x);
    assert_eq!(w.hold, Some(128 * 1024));
    assert!(w.facts.is_some() && w.personalize.is_some());
    // The demo's product-page rules are all per visitor: for a crawler nothing can change.
    let crawler = [("user-agent", "Googlebot/2.1")];
    let mut bot = exchange(request("GET", "/p/a-slug", &crawler), &s);
    bot.respond(head_(200));
    assert!(matches!(bot.body(), BodyWork::Pass(PassReason::NothingToDo)));
    // A rule for everyone on product pages of one category: the crawler's page reads its facts
    // (to know the category), but is not held (it teaches nothing).
    let everyone = DEMO.replace(
        r#""rules": ["#,
        r#""rules": [{"id": "bags-detail", "scope": {"pages": ["pdp"], "categories": ["bags"]}, "image": {"prefer": ["detail"]}},"#,
    );
    let s = settings_with(Some(&everyone));
    let mut bot = exchange(request("GET", "/p/a-slug", &crawler), &s);
    bot.respond(head_(200));
    let w = html_work(&mut bot);
    assert_eq!(w.hold, None, "a crawler teaches nothing: its page is not held");
    assert!(
        w.facts.is_some() && w.personalize.is_some(),
        "facts scope the rule"
    );
}

#[test]
fn a_crawler_on_a_listing_with_only_personal_rules_gets_the_origin_page() {
    let cfg = r#"{"version":1,"site":{"pages":[{"type":"plp","path":"/c/{category}"}],
        "plp":{"grids":[{"name":"g","container":"ul","tile":"li","key":{"attribute":"data-k"}}]}},
        "rules":[{"id":"buyers","scope":{"intent":"buy"},"boost":{"match":{"tag":["x"]},"weight":1}}]}"#;
    let s = settings_with(Some(cfg));
    let mut bot = exchange(request("GET", "/c/x", &[("user-agent", "Googlebot/2.1")]), &s);
    bot.respond(head_(200));
    assert!(matches!(bot.body(), BodyWork::Pass(PassReason::NothingToDo)));
    // A visitor with consent: affinity may reorder.
    let mut human = exchange(request("GET", "/c/x", &[]), &s);
    human.respond(head_(200));
    assert!(matches!(human.body(), BodyWork::Html(_)));
}

#[test]
fn product_facts_become_a_view_and_the_image_preference_is_reported() {
    let s = demo();
    let mut x = exchange(request("GET", "/p/a-slug", &[]), &s);
    x.respond(head_(200));
    let _ = x.body();
    x.facts_read(Some(crate::signal::ProductFacts {
        brand: Some("Kestrel".into()),
        ..Default::default()
    }));
    finish(&mut x);
    assert_eq!(x.report().learn, vec!["pdp"]);
    assert_eq!(
        x.report().img.as_deref(),
        Some("lifestyle"),
        "a first visit prefers the lifestyle shot"
    );
    let mut y = exchange(request("GET", "/p/a-slug", &[]), &s);
    y.respond(head_(200));
    let _ = y.body();
    y.facts_read(None);
    assert!(y.report().learn_pdp_none);
}

// --- Personalization for each kind of visitor -------------------------------------------------

/// The plan a listing page gets for a visitor with these extra headers.
fn listing_plan(s: &Rc<Settings>, extra: &[(&str, &str)]) -> (Rc<crate::rewrite::personalize::Plan>, String) {
    let mut x = exchange(request("GET", "/c/outerwear", extra), s);
    x.respond(head_(200));
    let w = html_work(&mut x);
    let (plan, _) = w.personalize.expect("a listing with grids is personalized");
    let head = finish(&mut x);
    (plan, set_of(&head, "x-vitrine").unwrap())
}

#[test]
fn personalization_follows_consent_holdout_and_bots() {
    let s = demo();
    let fan = cookie_of(false, &[("Kestrel", 200)]);
    // Consent by default (US), a known visitor: personal.
    let (plan, report) = listing_plan(&s, &[("cookie", &fan)]);
    assert!(plan.signal.is_some() && plan.consent && !plan.holdout && plan.context().personal());
    assert!(
        report.contains("sig=known") && report.contains("plp=rank;"),
        "{report}"
    );
    // The EU default is opt-in: no signal, non-personal merchandising only.
    let (plan, report) = listing_plan(&s, &[("cookie", &fan), ("x-vitrine-country", "DE")]);
    assert!(plan.signal.is_none() && !plan.consent && !plan.context().personal());
    assert!(report.contains("sig=none:default-denied"), "{report}");
    // Global Privacy Control opts out.
    let (plan, _) = listing_plan(&s, &[("cookie", &fan), ("sec-gpc", "1")]);
    assert!(plan.signal.is_none());
    // A crawler gets the canonical order.
    let (plan, report) = listing_plan(&s, &[("user-agent", "Googlebot/2.1")]);
    assert!(plan.signal.is_none() && report.contains("sig=bot"), "{report}");
    assert!(
        report.contains("plp=rules") && !report.contains("plp=rank"),
        "{report}"
    );
    // Everyone in the holdout (share 0.5 with this id's bucket): ranked, but not personally.
    let holdout_cfg = DEMO.replace(r#""holdout": 0"#, r#""holdout": 0.5"#);
    let h = settings_with(Some(&holdout_cfg));
    let mut id = 0u8;
    let (plan, report) = loop {
        let mut sig = Signal::new([id; 12], 900_000, ConsentBasis::Default);
        sig.brands.push(crate::signal::Affinity {
            hash: crate::signal::name_hash("Kestrel"),
            weight: 200,
        });
        if crate::rank::in_holdout(&sig.id, 0.5) {
            let jar = format!("vt={}", cookie::encode(&sig, &Keyring::parse(KEYS).unwrap()));
            break listing_plan(&h, &[("cookie", &jar)]);
        }
        id += 1;
    };
    assert!(plan.holdout && !plan.context().personal());
    assert!(report.contains("plp=rank:holdout"), "{report}");
}

#[test]
fn the_bypass_makes_vitrine_a_transparent_proxy_by_header_parameter_or_cookie() {
    let cfg = DEMO.replace(
        r#""bypass_header": "x-vitrine-bypass""#,
        r#""bypass_header": "x-vitrine-bypass", "bypass_param": "vitrine", "bypass_cookie": "vitrine_bypass""#,
    );
    assert_ne!(cfg, DEMO, "the demo config names a bypass header");
    let s = settings_with(Some(&cfg));
    let fan = cookie_of(false, &[("Kestrel", 200)]);
    for (path, extra) in [
        ("/c/outerwear", vec![("x-vitrine-bypass", "1".to_owned())]),
        ("/c/outerwear?vitrine=off&page=2", vec![]),
        ("/c/outerwear", vec![("cookie", "vitrine_bypass=1".to_owned())]),
    ] {
        let jar = match extra.iter().find(|(k, _)| *k == "cookie") {
            Some((_, c)) => format!("{fan}; s=1; {c}"),
            None => format!("{fan}; s=1"),
        };
        let mut headers: Vec<(&str, &str)> = extra
            .iter()
            .filter(|(k, _)| *k != "cookie")
            .map(|(k, v)| (*k, v.as_str()))
            .collect();
        headers.push(("cookie", &jar));
        headers.push(("if-none-match", "\"v1\""));
        let mut x = exchange(request("GET", path, &headers), &s);
        let cookie = forwarded(&x, "cookie");
        assert!(
            cookie.as_deref().is_none_or(|c| !c.contains("vt=")),
            "{path}: the visitor's cookie never reaches the origin: {cookie:?}"
        );
        assert!(
            !x.forward.url.contains("vitrine="),
            "the bypass parameter stays here: {}",
            x.forward.url
        );
        assert!(x.forward.url.ends_with("/c/outerwear") || x.forward.url.ends_with("/c/outerwear?page=2"));
        assert_eq!(
            forwarded(&x, "if-none-match"),
            None,
            "no origin 304 for a page vitrine may change"
        );
        x.respond(OriginHead {
            etag: Some("\"v1\"".into()),
            customer: Some("c-42".into()),
            ..head_(200)
        });
        assert!(
            matches!(x.body(), BodyWork::Pass(PassReason::Bypass)),
            "the body never enters wasm"
        );
        let head = finish(&mut x);
        assert!(appended(&head, "set-cookie").is_empty());
        assert_eq!(
            set_of(&head, "cache-control").as_deref(),
            Some("private, no-store")
        );
        assert!(deleted(&head, "etag"));
        assert_eq!(
            head.status, None,
            "a bypassed page is never answered from the browser's store"
        );
        assert!(
            deleted(&head, "x-customer-id"),
            "the identity header never leaves"
        );
        assert!(set_of(&head, "x-vitrine").unwrap().starts_with("pass;why=bypass"));
    }
    // `0` turns it off.
    let mut x = exchange(request("GET", "/c/outerwear?vitrine=0", &[]), &s);
    x.respond(head_(200));
    assert!(matches!(x.body(), BodyWork::Html(_)));
}

#[test]
fn pages_with_nothing_to_do_pass_untouched() {
    // A listing type with no grid and no hero configured, no product data to read.
    let s = settings_with(Some(
        r#"{"version":1,"site":{"pages":[{"type":"plp","path":"/c/{category}"}]}}"#,
    ));
    let mut x = exchange(request("GET", "/c/x", &[]), &s);
    x.respond(head_(200));
    assert!(matches!(x.body(), BodyWork::Pass(PassReason::NothingToDo)));
    assert!(x.report().plp.is_none(), "no plp=rank without a configured grid");
    // A page the config does not classify.
    let demo = demo();
    let mut y = exchange(request("GET", "/about", &[]), &demo);
    y.respond(head_(200));
    assert!(matches!(y.body(), BodyWork::Pass(PassReason::NothingToDo)));
}

#[test]
fn personalized_or_cookie_carrying_responses_are_never_stored_and_the_rest_keep_their_caching() {
    let s = demo();
    // A first visit: personalized, and minting the cookie.
    let mut x = exchange(request("GET", "/c/shoes", &[]), &s);
    x.respond(OriginHead {
        etag: Some("\"o1\"".into()),
        last_modified: Some("Wed, 21 Oct 2026 07:28:00 GMT".into()),
        ..head_(200)
    });
    let _ = x.body();
    let h = finish(&mut x);
    assert_eq!(set_of(&h, "cache-control").as_deref(), Some("private, no-store"));
    assert!(
        deleted(&h, "etag") && deleted(&h, "last-modified"),
        "no validator can bring it back"
    );
    assert_eq!(appended(&h, "set-cookie").len(), 1);
    // An asset: untouched.
    let mut a = exchange(
        request(
            "GET",
            "/static/a.css",
            &[("sec-fetch-dest", "style"), ("if-none-match", "\"a1\"")],
        ),
        &s,
    );
    assert_eq!(
        forwarded(&a, "if-none-match").as_deref(),
        Some("\"a1\""),
        "assets revalidate at the origin"
    );
    a.respond(head(200, "text/css"));
    let _ = a.body();
    let h = finish(&mut a);
    assert_eq!(set_of(&h, "cache-control"), None);
    assert!(!deleted(&h, "etag"));
    assert!(
        appended(&h, "set-cookie").is_empty(),
        "never a cookie on an asset"
    );
    assert!(
        !deleted(&h, "content-length"),
        "an untouched body keeps its length"
    );
}

/// What leaves for one request: (cache-control set, validators removed, set-cookie, status).
fn caching_of(
    s: &Rc<Settings>,
    path: &str,
    extra: &[(&str, &str)],
) -> (Option<String>, bool, bool, Option<u16>) {
    let mut headers = extra.to_vec();
    headers.push(("if-none-match", "\"o1\""));
    let mut x = exchange(request("GET", path, &headers), s);
    let storefront = ["/", "/c/", "/p/", "/search"]
        .iter()
        .any(|p| path == "/" || (p.len() > 1 && path.starts_with(p)));
    assert_eq!(
        forwarded(&x, "if-none-match").is_none(),
        storefront,
        "{path}: the origin never answers 304 for a page vitrine may change, and answers its own for the rest"
    );
    x.respond(OriginHead {
        etag: Some("\"o1\"".into()),
        last_modified: Some("Wed, 21 Oct 2026 07:28:00 GMT".into()),
        ..head_(200)
    });
    let _ = x.body();
    x.facts_read(None);
    let h = finish(&mut x);
    (
        set_of(&h, "cache-control"),
        deleted(&h, "etag") && deleted(&h, "last-modified"),
        !appended(&h, "set-cookie").is_empty(),
        h.status,
    )
}

#[test]
fn caching_for_every_page_type_and_visitor_kind() {
    let s = demo();
    let fan = cookie_of(false, &[("Kestrel", 200)]);
    let bot = [("user-agent", "Mozilla/5.0 (compatible; Googlebot/2.1)")];
    let no_consent = [("x-vitrine-country", "DE")];
    let known = [("cookie", fan.as_str())];
    let personal =
        |r: &(Option<String>, bool, bool, Option<u16>)| r.0.as_deref() == Some("private, no-store") && r.1;
    for page in ["/", "/c/outerwear", "/p/a-slug", "/search?q=boots"] {
        // Known visitors and first visits: their page depends on them, and their cookie rides on it.
        for (who, extra) in [("known", &known[..]), ("first visit", &[][..])] {
            let r = caching_of(&s, page, extra);
            assert!(personal(&r) && r.2 && r.3.is_none(), "{page}, {who}: {r:?}");
        }
        // Crawlers and visitors without consent: no cookie, never no-store; the origin's
        // Cache-Control stays, and validators go only when the rules rewrote the page.
        for (who, extra) in [("crawler", &bot[..]), ("no consent", &no_consent[..])] {
            let r = caching_of(&s, page, extra);
            assert!(!r.2, "{page}, {who}: no cookie");
            assert_eq!(r.0, None, "{page}, {who}: the origin's Cache-Control: {r:?}");
        }
    }
    // The holdout: ranked by the rules alone, but its cookie learns, so it is never stored either.
    let holdout_cfg = DEMO.replace(r#""holdout": 0"#, r#""holdout": 0.5"#);
    let h = settings_with(Some(&holdout_cfg));
    let jar = (0u8..)
        .map(|id| Signal::new([id; 12], 900_000, ConsentBasis::Default))
        .find(|sig| crate::rank::in_holdout(&sig.id, 0.5))
        .map(|sig| format!("vt={}", cookie::encode(&sig, &Keyring::parse(KEYS).unwrap())))
        .unwrap();
    let r = caching_of(&h, "/c/outerwear", &[("cookie", &jar)]);
    assert!(personal(&r) && r.2, "holdout: {r:?}");
    // The listing is ranked by rules for everyone (the stock guarantee): the crawler's copy
    // keeps the origin's caching but not its validators.
    let r = caching_of(&s, "/c/outerwear", &bot);
    assert!(r.1 && r.3.is_none(), "{r:?}");
    // A page the config does not change: the crawler's conditional request is answered here.
    let r = caching_of(&s, "/about", &bot);
    assert_eq!(
        r,
        (None, false, false, None),
        "not a storefront page: the origin answers its own 304s"
    );
    let plain = settings_with(Some(
        r#"{"version":1,"site":{"pages":[{"type":"plp","path":"/c/{category}"}]}}"#,
    ));
    let r = caching_of(&plain, "/c/x", &bot);
    assert_eq!(
        r,
        (None, false, false, Some(304)),
        "untouched and held by the browser: 304 from the edge"
    );
    let mut other = exchange(request("GET", "/c/x", &[("if-none-match", "\"old\"")]), &plain);
    other.respond(OriginHead {
        etag: Some("\"o1\"".into()),
        ..head_(200)
    });
    let _ = other.body();
    assert_eq!(finish(&mut other).status, None, "a stale validator gets the page");
}

#[test]
fn the_report_timing_location_and_after_work() {
    let s = demo();
    let mut x = exchange(request("POST", "/cart/add", &[]), &s);
    x.respond(OriginHead {
        location: Some("http://origin.test:8788/cart".into()),
        ..head_(303)
    });
    let _ = x.body();
    let h = finish(&mut x);
    assert_eq!(set_of(&h, "location").as_deref(), Some("https://shop.test/cart"));
    assert_eq!(
        appended(&h, "server-timing"),
        vec!["vitrine;dur=5.0;desc=\"edge\", origin;dur=20.0"]
    );
    let report = set_of(&h, "x-vitrine").unwrap();
    assert!(
        report.starts_with("pass;why=status;sig=new;learn=cart;cfg="),
        "{report}"
    );
    let (url, batch) = h.after.collector.clone().expect("events go to the collector");
    assert_eq!(url, "http://collector.test/collect");
    assert!(batch.contains("\"add_to_cart\""), "{batch}");
    assert!(deleted(&h, crate::search::CACHED_AT));
    assert_eq!(
        x.report().sig,
        Some(Sig {
            status: Status::New,
            consent: crate::signal::consent::Consent::DefaultGranted
        })
    );
}

#[test]
fn the_end_of_page_reports_exposure_and_shadow_changes() {
    let cfg = r#"{"version":1,"site":{"pages":[{"type":"plp","path":"/c/{category}"}],
        "plp":{"grids":[{"name":"g","container":"ul","tile":"li","key":{"attribute":"data-k"}}]}},
        "rules":[{"id":"try","mode":"shadow","pin":{"product":"c","position":1}}]}"#;
    let s = settings_with(Some(cfg));
    let mut x = exchange(request("GET", "/c/x", &[]), &s);
    x.respond(head_(200));
    let w = html_work(&mut x);
    assert!(w.shadow);
    let (stream, handles) = crate::rewrite::page::build(&w);
    let _ = crate::rewrite::page::run_until_finished(
        stream,
        b"<ul><li data-k=a></li><li data-k=b></li><li data-k=c></li></ul>",
        &[7],
    );
    let end = x.end_of_page(handles).expect("end-of-page reports");
    let (logs, batch) = end.reports();
    assert!(
        logs.iter()
            .any(|l| l.contains("rules [\"try\"] would serve [\"c\", \"a\", \"b\"]")),
        "{logs:?}"
    );
    let (_, body) = batch.expect("a batch, with consent");
    assert!(
        body.contains("\"type\":\"shadow\"") && body.contains("\"type\":\"exposure\""),
        "{body}"
    );
}

#[test]
fn one_url_shape_two_page_types_told_apart_by_their_markup() {
    let cfg = r#"{"version":1,"site":{
        "pages":[{"type":"pdp","path":"/{product}.html","marker":"body.product-view"},
                 {"type":"plp","path":"/{category}.html","marker":"body.category-view"}],
        "plp":{"grids":[{"name":"g","container":"ul.grid","tile":"li","key":{"attribute":"data-k"}}]},
        "pdp":{"product_data":[{"source":"attributes","selector":"main","brand":"data-brand"}],
               "gallery":{"container":".gallery","item":"figure","role_attribute":"data-role"}}},
        "rules":[{"id":"pin-b","scope":{"pages":["plp"]},"pin":{"product":"b","position":1}},
                 {"id":"detail","scope":{"pages":["pdp"]},"image":{"prefer":["detail"]}}]}"#;
    let s = settings_with(Some(cfg));
    let grid =
        |a: &str, b: &str| format!("<ul class=grid><li data-k={a}>{a}</li><li data-k={b}>{b}</li></ul>");
    let gallery = |a: &str, b: &str| {
        format!(
            "<div class=gallery><figure data-role={a}>{a}</figure><figure data-role={b}>{b}</figure></div>"
        )
    };
    let serve = |path: &str, page: &str| {
        let mut x = exchange(request("GET", path, &[]), &s);
        x.respond(head_(200));
        let w = html_work(&mut x);
        let (stream, handles) = crate::rewrite::page::build(&w);
        let (out, _) = crate::rewrite::page::run_until_finished(stream, page.as_bytes(), &[7]);
        x.facts_read(handles.probe.as_ref().map(|p| p.facts()));
        finish(&mut x);
        let summary = handles.report.map(|r| r.snapshot().summary()).unwrap_or_default();
        (String::from_utf8(out).unwrap(), summary, x.report().learn.clone())
    };
    // A category: its grid follows the listing rules.
    let category = format!(
        "<body class='page category-view'><main>{}</main></body>",
        grid("a", "b")
    );
    let (out, summary, learn) = serve("/boots.html", &category);
    assert_eq!(
        out,
        format!(
            "<body class='page category-view'><main>{}</main></body>",
            grid("b", "a")
        )
    );
    assert_eq!(summary, "g=reordered:2");
    assert!(
        !learn.contains(&"pdp"),
        "a category is not a product view: {learn:?}"
    );
    // A product at the same URL shape: its gallery follows the product rules; its related
    // products grid is not a listing.
    let product =
        |g: &str, r: &str| format!("<body class=product-view><main data-brand=Kestrel>{g}{r}</main></body>");
    let (out, summary, learn) = serve(
        "/trail-boot.html",
        &product(&gallery("front", "detail"), &grid("a", "b")),
    );
    assert_eq!(out, product(&gallery("detail", "front"), &grid("a", "b")));
    assert!(summary.contains("img=detail"), "{summary}");
    assert_eq!(
        learn,
        ["pdp"],
        "the product view is learned once its marker was met"
    );
    // Neither marker: the page is left exactly as it was.
    let cms = format!(
        "<body class=cms><main data-brand=x>{}{}</main></body>",
        gallery("front", "detail"),
        grid("a", "b")
    );
    let (out, _, learn) = serve("/about-us.html", &cms);
    assert_eq!(out, cms);
    assert!(learn.is_empty(), "{learn:?}");
}

// --- QA preview links --------------------------------------------------------------------------

#[test]
fn a_qa_link_starts_a_session_only_with_a_good_signature() {
    let s = demo();
    let token = s.admin_token.clone().unwrap();
    let pass = crate::qa::Pass {
        draft: "0123456789ab".into(),
        exp: NOW / 1000 + 600,
        name: "holiday".into(),
        visitor: None,
    };
    let good = crate::qa::sign(&pass, &token);
    let Route::Endpoint(Endpoint::Qa(r)) = route(
        request(
            "GET",
            &format!("/c/outerwear?page=2&__vitrine_preview={good}"),
            &[],
        ),
        &s,
    ) else {
        panic!("a good link is vitrine's to answer");
    };
    assert_eq!(r.status, 302);
    let header = |n: &str| {
        r.headers
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(header("location"), "/c/outerwear?page=2");
    assert!(header("set-cookie").starts_with(&format!("__vitrine_qa={good}; Path=/; Max-Age=600; HttpOnly")));
    assert!(
        header("set-cookie").ends_with("; Secure"),
        "https: a secure cookie"
    );
    assert_eq!(header("cache-control"), "private, no-store");
    // A forged or expired link: the request is the origin's like any other.
    let forged = crate::qa::sign(&pass, "another-admin-token-0000");
    assert!(matches!(
        route(
            request("GET", &format!("/c/outerwear?__vitrine_preview={forged}"), &[]),
            &s
        ),
        Route::Origin(_)
    ));
    let old = crate::qa::sign(
        &crate::qa::Pass {
            exp: NOW / 1000 - 1,
            ..pass.clone()
        },
        &token,
    );
    assert!(matches!(
        route(
            request("GET", &format!("/c/outerwear?__vitrine_preview={old}"), &[]),
            &s
        ),
        Route::Origin(_)
    ));
    // `exit` always clears the cookie.
    let Route::Endpoint(Endpoint::Qa(exit)) =
        route(request("GET", "/c/outerwear?__vitrine_preview=exit", &[]), &s)
    else {
        panic!("exit");
    };
    assert!(exit
        .headers
        .iter()
        .any(|(k, v)| k == "set-cookie" && v.starts_with("__vitrine_qa=; Path=/; Max-Age=0")));
}

#[test]
fn a_qa_session_serves_the_draft_as_the_forced_segment_learns_nothing_and_is_never_stored() {
    let live = demo();
    // The draft pins a product the live config does not.
    let draft = DEMO.replace(
        r#""rules": ["#,
        r#""rules": [{"id": "qa-pin", "pin": {"product": "VT-0001", "position": 1}},"#,
    );
    let draft = Rc::new(crate::config::compile_json(&draft).unwrap());
    let pass = crate::qa::Pass {
        draft: "0123456789ab".into(),
        exp: NOW / 1000 + 600,
        name: "holiday".into(),
        visitor: Some(serde_json::json!({"returning": true, "intent": "buy"})),
    };
    let s = Rc::new(live.for_qa(draft, pass));
    let mut x = exchange(request("GET", "/c/outerwear", &[]), &s);
    x.respond(head_(200));
    let w = html_work(&mut x);
    let plan = w.personalize.as_ref().unwrap().0.clone();
    assert!(
        plan.cfg.rules.iter().any(|r| r.id == "qa-pin"),
        "the draft's rules"
    );
    let signal = plan.signal.as_ref().unwrap();
    assert!(
        signal.is_returning() && signal.intent == crate::signal::Intent::Buy,
        "the forced segment"
    );
    assert!(w
        .badge
        .as_deref()
        .unwrap()
        .contains("vitrine preview: draft holiday, as returning buyer"));
    assert_eq!(w.hold, None, "nothing to learn: not held");
    let h = finish(&mut x);
    assert_eq!(set_of(&h, "cache-control").as_deref(), Some("private, no-store"));
    assert!(
        appended(&h, "set-cookie").is_empty(),
        "no signal cookie of the session's"
    );
    assert!(h.after.collector.is_none(), "no events");
    assert!(
        x.report().to_string().contains("cfg=draft-0123456789ab"),
        "{}",
        x.report()
    );
    // The badge lands at the end of <body>, and the rest of the page streams on.
    let (stream, _) = crate::rewrite::page::build(&w);
    let (out, stopped) = crate::rewrite::page::run_until_finished(stream, b"<body><p>x</p></body>", &[4]);
    assert_eq!(stopped, None);
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.starts_with("<body><p>x</p><div id=\"vitrine-qa-badge\"") && out.contains("</div></body>"),
        "{out}"
    );
}
