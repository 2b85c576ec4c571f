//! Reading the platform's request and response into the core's types.

use worker::{Request, Response, ResponseBody, Result};

use crate::decide::{Incoming, OriginHead};
use crate::request_url::RequestUrl;
use crate::signal::ID_LEN;

/// The request as the core sees it.
pub fn incoming(req: &Request, now_ms: u64) -> Result<Incoming> {
    Ok(Incoming {
        method: req.method().to_string(),
        url: RequestUrl::parse(&req.inner().url()).ok_or_else(|| {
            worker::Error::RustError("the runtime gave a request URL that is not absolute".into())
        })?,
        headers: req.headers().entries().collect(),
        cf_country: req.cf().and_then(|cf| cf.country()),
        now_ms,
        fresh_id: random_id(),
    })
}

fn random_id() -> Option<[u8; ID_LEN]> {
    let mut id = [0u8; ID_LEN];
    getrandom::fill(&mut id).ok().map(|_| id)
}

/// The origin's response head; `identity` names the header carrying a signed-in customer.
pub fn origin_head(resp: &Response, identity: Option<&str>, at_ms: u64) -> OriginHead {
    let header = |name: &str| resp.headers().get(name).ok().flatten();
    OriginHead {
        status: resp.status_code(),
        content_type: header("content-type"),
        cache_control: header("cache-control"),
        content_encoding: header("content-encoding"),
        etag: header("etag"),
        set_cookie: header("set-cookie").is_some(),
        last_modified: header("last-modified"),
        location: header("location"),
        customer: identity.and_then(header),
        streamed: match resp.body() {
            ResponseBody::Stream(_) => true,
            ResponseBody::Body(bytes) => !bytes.is_empty(),
            ResponseBody::Empty => false,
        },
        at_ms,
    }
}
