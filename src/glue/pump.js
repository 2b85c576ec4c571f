// The body pump: a response body moved through vitrine's rewriter from JavaScript, so a body
// crosses into wasm once per large read (one copy in, one copy out) and never as a stream of
// small promises and closures (workers-rs reads bodies in 4 KB pieces, ~175 µs each).
//
// - Reads are BYOB `readAtLeast` into one reused 64 KB buffer (workerd's extension).
// - Output goes to an IdentityTransformStream whose readable side is the response body: a write
//   resolves when the client took it, so a slow client slows the origin read (backpressure).
// - While the rewriter holds the head back (a product page whose facts have not streamed past
//   yet, up to `holdBytes`), output is kept here; the head promise resolves when it may go.
// - When the rewriter says nothing is left to do (`finished`), what it still holds is flushed and
//   the rest of the origin body is piped natively, without wasm.
// - A client that goes away cancels the origin read and frees the rewriter, quietly. An origin
//   that breaks off mid-body: what was held is flushed, and the page ends with a comment saying
//   it is incomplete (never a silent truncation).
//
// Plain JavaScript on purpose: it runs in the worker's isolate beside the wasm; the Rust side
// (src/glue/body.rs) decides everything and only asks this file to move bytes.

const BUFFER = 64 * 1024;
const BROKE_OFF = new TextEncoder().encode('\n<!-- vitrine: the origin broke off here; this page is incomplete -->\n');
const MIN_READ = 16 * 1024;

/** Reads into `buf` at least MIN_READ bytes (fewer at the end); `{ value, done }`. */
function read(reader, buf) {
  return typeof reader.readAtLeast === 'function' ? reader.readAtLeast(MIN_READ, buf) : reader.read(buf);
}

function concat(parts, total) {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Pumps `body` through `rewriter` ({push(Uint8Array) -> Uint8Array, finish() -> Uint8Array,
 * ready() -> bool, finished() -> bool, free()}). Returns `{ head, done }`: `head` resolves to the
 * response body stream once the head may go; `done` resolves to true when the whole body went out
 * (false when the client went away or the origin broke off).
 */
export function pump(body, rewriter, holdBytes) {
  const { readable, writable } = new IdentityTransformStream();
  const writer = writable.getWriter();
  let reader = body.getReader({ mode: 'byob' });
  let buf = new Uint8Array(BUFFER);
  let held = holdBytes > 0 ? [] : null;
  let heldLen = 0;
  let headSent = false;
  let sendHead;
  const head = new Promise((resolve) => (sendHead = resolve));
  const release = () => {
    if (!headSent) {
      headSent = true;
      sendHead(readable);
    }
  };
  if (held === null) release();

  async function out(bytes) {
    if (bytes.length === 0) return;
    if (held !== null) {
      held.push(bytes);
      heldLen += bytes.length;
      return;
    }
    await writer.write(bytes);
  }

  async function flushHeld() {
    if (held === null) return;
    const parts = held;
    held = null;
    release();
    if (heldLen > 0) await writer.write(concat(parts, heldLen));
  }

  async function run() {
    for (;;) {
      const { value, done } = await read(reader, buf);
      if (value && value.byteLength > 0) {
        await out(rewriter.push(value));
        buf = new Uint8Array(value.buffer);
        if (held !== null && (rewriter.ready() || heldLen >= holdBytes)) await flushHeld();
        if (rewriter.finished()) {
          // Nothing left to rewrite: flush what the rewriter holds, pipe the rest natively.
          await out(rewriter.finish());
          free();
          await flushHeld();
          reader.releaseLock();
          reader = null;
          writer.releaseLock();
          await body.pipeTo(writable);
          return true;
        }
      }
      if (done) break;
    }
    await out(rewriter.finish());
    free();
    await flushHeld();
    await writer.close();
    return true;
  }

  let freed = false;
  function free() {
    if (!freed) {
      freed = true;
      rewriter.free();
    }
  }

  const done = run().catch(async (err) => {
    // The origin broke off, or the client went away. Flush what is held (as it came), say so at
    // the end of what went out, and end the response; cancel the origin read. Nothing is thrown.
    // Not an abort: workerd ends a response whose body stream errored after its headers left as
    // if it were complete, and drops what was still queued, marker included (README, development
    // notes). The marker is the signal that survives.
    try {
      if (!freed) {
        const tail = rewriter.finish();
        free();
        if (held !== null) {
          held.push(tail);
          heldLen += tail.length;
          await flushHeld();
        } else if (tail.length) {
          await writer.write(tail);
        }
      }
      await writer.write(BROKE_OFF);
      await writer.close();
    } catch {
      free();
      writer.abort(err).catch(() => {});
    }
    release();
    if (reader) reader.cancel(err).catch(() => {});
    return false;
  });
  return { head, done };
}

/**
 * Reads `body` up to `max` bytes: `{ bytes, rest, error }`. `rest` is the unread remainder when
 * the body was longer than `max` (to be sent after `bytes`), `error` a message when the origin
 * broke off.
 */
export async function readUpTo(body, max) {
  const reader = body.getReader({ mode: 'byob' });
  let buf = new Uint8Array(BUFFER);
  const parts = [];
  let len = 0;
  try {
    for (;;) {
      const { value, done } = await read(reader, buf);
      if (value && value.byteLength > 0) {
        parts.push(value.slice());
        len += value.byteLength;
        buf = new Uint8Array(value.buffer);
      }
      if (done) return { bytes: concat(parts, len), rest: null, error: null };
      if (len > max) {
        reader.releaseLock();
        return { bytes: concat(parts, len), rest: body, error: null };
      }
    }
  } catch (err) {
    return { bytes: concat(parts, len), rest: null, error: String(err) };
  }
}

/**
 * A body stream of `bytes`, then `rest` (a stream, or null), then an error if `error` is set (the
 * origin broke off after `bytes`: the client sees an error, not a silently short body).
 */
export function prepend(bytes, rest, error) {
  const { readable, writable } = new IdentityTransformStream();
  (async () => {
    const writer = writable.getWriter();
    if (bytes.length > 0) await writer.write(bytes);
    if (error) {
      await writer.abort(new Error(error));
      return;
    }
    if (rest) {
      writer.releaseLock();
      await rest.pipeTo(writable);
    } else {
      await writer.close();
    }
  })().catch(() => {
    if (rest) rest.cancel().catch(() => {});
  });
  return readable;
}

/** A body stream over bytes already in hand (a search page read whole within its budget). */
export function bytesStream(bytes) {
  return new Response(bytes).body;
}
