//! Work after the response (`wait_until`): events to the collector, a customer profile to KV, and
//! the end-of-page reports once the whole page has streamed.

use js_sys::Promise;
use wasm_bindgen_futures::JsFuture;
use worker::{console_log, Context, Env};

use super::{http, profile};
use crate::decide::exchange::EndOfPage;
use crate::decide::After;

/// The end-of-page reports, and the promise that the page finished streaming (`true`: the
/// whole page went out).
pub type PageEnd = (EndOfPage, Promise);

/// Schedules the work after a response.
pub fn spawn(ctx: &Context, env: &Env, after: After, end: Option<PageEnd>) {
    if let Some((url, body)) = after.collector {
        ctx.wait_until(async move { http::post_json(&url, body).await });
    }
    if let Some((key, value)) = after.profile {
        profile::save(ctx, env, key, value);
    }
    if let Some((page, done)) = end {
        ctx.wait_until(async move {
            if JsFuture::from(done)
                .await
                .is_ok_and(|v| v.as_bool() == Some(true))
            {
                let (logs, batch) = page.reports();
                for line in logs {
                    console_log!("{line}");
                }
                if let Some((url, body)) = batch {
                    http::post_json(&url, body).await;
                }
            }
        });
    }
}
