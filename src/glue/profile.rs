//! Stitched customer profiles in the `PROFILES` KV namespace: read before a signed-in customer's
//! page is decided, written after the response. A KV failure costs the visitor nothing: the
//! profile is simply not merged or not saved this time.

use worker::{console_warn, Context, Env};

/// The profile stored under `key`, as stored (the core verifies it).
pub async fn read(env: &Env, key: &str) -> Option<String> {
    let kv = env.kv("PROFILES").ok()?;
    match kv.get(key).text().await {
        Ok(value) => value,
        Err(e) => {
            console_warn!("vitrine: profile read failed: {e}");
            None
        }
    }
}

/// Writes a profile after the response.
pub fn save(ctx: &Context, env: &Env, key: String, value: String) {
    let Ok(kv) = env.kv("PROFILES") else {
        console_warn!("vitrine: no PROFILES KV binding; the customer profile is not saved");
        return;
    };
    ctx.wait_until(async move {
        let put = match kv.put(&key, value) {
            Ok(put) => put.execute().await,
            Err(e) => Err(e),
        };
        if let Err(e) = put {
            console_warn!("vitrine: profile write failed: {e}");
        }
    });
}
