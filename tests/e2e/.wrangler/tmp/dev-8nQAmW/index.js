var __defProp = Object.defineProperty;
var __name = (target, value) => __defProp(target, "name", { value, configurable: true });

// ../../build/index.js
import { WorkerEntrypoint as Ct } from "cloudflare:workers";
import ft from "./bf6562173ac05bbea2cf94c87f70a62c77bac1b9-index_bg.wasm";
var mt = new TextEncoder().encode(`
<!-- vitrine: the origin broke off here; this page is incomplete -->
`);
var vt = 16 * 1024;
function et(r3, t) {
  return typeof r3.readAtLeast == "function" ? r3.readAtLeast(vt, t) : r3.read(t);
}
__name(et, "et");
function M(r3, t) {
  let e = new Uint8Array(t), n = 0;
  for (let _ of r3) e.set(_, n), n += _.length;
  return e;
}
__name(M, "M");
function nt(r3, t, e) {
  let { readable: n, writable: _ } = new IdentityTransformStream(), o = _.getWriter(), c = r3.getReader({ mode: "byob" }), d = new Uint8Array(65536), w = e > 0 ? [] : null, y = 0, j = false, m, pt = new Promise((l) => m = l), H = /* @__PURE__ */ __name(() => {
    j || (j = true, m(n));
  }, "H");
  w === null && H();
  async function $(l) {
    if (l.length !== 0) {
      if (w !== null) {
        w.push(l), y += l.length;
        return;
      }
      await o.write(l);
    }
  }
  __name($, "$");
  async function P() {
    if (w === null) return;
    let l = w;
    w = null, H(), y > 0 && await o.write(M(l, y));
  }
  __name(P, "P");
  async function ht() {
    for (; ; ) {
      let { value: l, done: W } = await et(c, d);
      if (l && l.byteLength > 0 && (await $(t.push(l)), d = new Uint8Array(l.buffer), w !== null && (t.ready() || y >= e) && await P(), t.finished())) return await $(t.finish()), L(), await P(), c.releaseLock(), c = null, o.releaseLock(), await r3.pipeTo(_), true;
      if (W) break;
    }
    return await $(t.finish()), L(), await P(), await o.close(), true;
  }
  __name(ht, "ht");
  let J = false;
  function L() {
    J || (J = true, t.free());
  }
  __name(L, "L");
  let yt = ht().catch(async (l) => {
    try {
      if (!J) {
        let W = t.finish();
        L(), w !== null ? (w.push(W), y += W.length, await P()) : W.length && await o.write(W);
      }
      await o.write(mt), await o.close();
    } catch {
      L(), o.abort(l).catch(() => {
      });
    }
    return H(), c && c.cancel(l).catch(() => {
    }), false;
  });
  return { head: pt, done: yt };
}
__name(nt, "nt");
async function rt(r3, t) {
  let e = r3.getReader({ mode: "byob" }), n = new Uint8Array(65536), _ = [], o = 0;
  try {
    for (; ; ) {
      let { value: c, done: d } = await et(e, n);
      if (c && c.byteLength > 0 && (_.push(c.slice()), o += c.byteLength, n = new Uint8Array(c.buffer)), d) return { bytes: M(_, o), rest: null, error: null };
      if (o > t) return e.releaseLock(), { bytes: M(_, o), rest: r3, error: null };
    }
  } catch (c) {
    return { bytes: M(_, o), rest: null, error: String(c) };
  }
}
__name(rt, "rt");
function _t(r3, t, e) {
  let { readable: n, writable: _ } = new IdentityTransformStream();
  return (async () => {
    let o = _.getWriter();
    if (r3.length > 0 && await o.write(r3), e) {
      await o.abort(new Error(e));
      return;
    }
    t ? (o.releaseLock(), await t.pipeTo(_)) : await o.close();
  })().catch(() => {
    t && t.cancel().catch(() => {
    });
  }), n;
}
__name(_t, "_t");
function it(r3) {
  return new Response(r3).body;
}
__name(it, "it");
var ot = globalThis.__worker_init_state = { criticalError: false, instanceId: 0 };
var k = class {
  static {
    __name(this, "k");
  }
  __destroy_into_raw() {
    let t = this.__wbg_ptr;
    return this.__wbg_ptr = 0, jt.unregister(this), t;
  }
  free() {
    let t = this.__destroy_into_raw();
    f();
    try {
      i.__wbg_containerstartupoptions_free(t, 0);
    } catch (e) {
      a(e);
    }
  }
  get enableInternet() {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    let t;
    f();
    try {
      t = i.__wbg_get_containerstartupoptions_enableInternet(this.__wbg_ptr);
    } catch (e) {
      a(e);
    }
    return t === 16777215 ? void 0 : t !== 0;
  }
  get entrypoint() {
    try {
      if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
      let _ = i.__wbindgen_add_to_stack_pointer(-16) >>> 0;
      f();
      try {
        i.__wbg_get_containerstartupoptions_entrypoint(_, this.__wbg_ptr);
      } catch (o) {
        a(o);
      }
      var t = u().getInt32(_ + 0, true), e = u().getInt32(_ + 4, true), n = Tt(t, e);
      return i.__wbindgen_export4(t, e * 4, 4), n;
    } finally {
      i.__wbindgen_add_to_stack_pointer(16);
    }
  }
  get env() {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    let t;
    f();
    try {
      t = i.__wbg_get_containerstartupoptions_env(this.__wbg_ptr);
    } catch (e) {
      a(e);
    }
    return t;
  }
  set enableInternet(t) {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    f();
    try {
      i.__wbg_set_containerstartupoptions_enableInternet(this.__wbg_ptr, b(t) ? 16777215 : t ? 1 : 0);
    } catch (e) {
      a(e);
    }
  }
  set entrypoint(t) {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    let e = Ut(t, i.__wbindgen_export2), n = p;
    f();
    try {
      i.__wbg_set_containerstartupoptions_entrypoint(this.__wbg_ptr, e, n);
    } catch (_) {
      a(_);
    }
  }
  set env(t) {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    f();
    try {
      i.__wbg_set_containerstartupoptions_env(this.__wbg_ptr, t);
    } catch (e) {
      a(e);
    }
  }
};
Symbol.dispose && (k.prototype[Symbol.dispose] = k.prototype.free);
var C = class {
  static {
    __name(this, "C");
  }
  __destroy_into_raw() {
    let t = this.__wbg_ptr;
    return this.__wbg_ptr = 0, Wt.unregister(this), t;
  }
  free() {
    let t = this.__destroy_into_raw();
    f();
    try {
      i.__wbg_intounderlyingbytesource_free(t, 0);
    } catch (e) {
      a(e);
    }
  }
  get autoAllocateChunkSize() {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    let t;
    f();
    try {
      t = i.intounderlyingbytesource_autoAllocateChunkSize(this.__wbg_ptr);
    } catch (e) {
      a(e);
    }
    return t >>> 0;
  }
  cancel() {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    let t = this.__destroy_into_raw();
    f();
    try {
      i.intounderlyingbytesource_cancel(t);
    } catch (e) {
      a(e);
    }
  }
  pull(t) {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    let e;
    f();
    try {
      e = i.intounderlyingbytesource_pull(this.__wbg_ptr, t);
    } catch (n) {
      a(n);
    }
    return e;
  }
  start(t) {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    f();
    try {
      i.intounderlyingbytesource_start(this.__wbg_ptr, t);
    } catch (e) {
      a(e);
    }
  }
  get type() {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    let t;
    f();
    try {
      t = i.intounderlyingbytesource_type(this.__wbg_ptr);
    } catch (e) {
      a(e);
    }
    return Et[t];
  }
};
Symbol.dispose && (C.prototype[Symbol.dispose] = C.prototype.free);
var D = class {
  static {
    __name(this, "D");
  }
  __destroy_into_raw() {
    let t = this.__wbg_ptr;
    return this.__wbg_ptr = 0, St.unregister(this), t;
  }
  free() {
    let t = this.__destroy_into_raw();
    f();
    try {
      i.__wbg_intounderlyingsink_free(t, 0);
    } catch (e) {
      a(e);
    }
  }
  abort(t) {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    let e = this.__destroy_into_raw(), n;
    f();
    try {
      n = i.intounderlyingsink_abort(e, t);
    } catch (_) {
      a(_);
    }
    return n;
  }
  close() {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    let t = this.__destroy_into_raw(), e;
    f();
    try {
      e = i.intounderlyingsink_close(t);
    } catch (n) {
      a(n);
    }
    return e;
  }
  write(t) {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    let e;
    f();
    try {
      e = i.intounderlyingsink_write(this.__wbg_ptr, t);
    } catch (n) {
      a(n);
    }
    return e;
  }
};
Symbol.dispose && (D.prototype[Symbol.dispose] = D.prototype.free);
var q = class {
  static {
    __name(this, "q");
  }
  __destroy_into_raw() {
    let t = this.__wbg_ptr;
    return this.__wbg_ptr = 0, kt.unregister(this), t;
  }
  free() {
    let t = this.__destroy_into_raw();
    f();
    try {
      i.__wbg_intounderlyingsource_free(t, 0);
    } catch (e) {
      a(e);
    }
  }
  cancel() {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    let t = this.__destroy_into_raw();
    f();
    try {
      i.intounderlyingsource_cancel(t);
    } catch (e) {
      a(e);
    }
  }
  pull(t) {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    let e;
    f();
    try {
      e = i.intounderlyingsource_pull(this.__wbg_ptr, t);
    } catch (n) {
      a(n);
    }
    return e;
  }
};
Symbol.dispose && (q.prototype[Symbol.dispose] = q.prototype.free);
var R = class r {
  static {
    __name(this, "r");
  }
  static __wrap(t) {
    let e = Object.create(r.prototype);
    return e.__wbg_ptr = t, Object.defineProperty(e, "__wbg_inst", { value: s, writable: true }), st.register(e, { ptr: t, instance: s }, e), e;
  }
  __destroy_into_raw() {
    let t = this.__wbg_ptr;
    return this.__wbg_ptr = 0, st.unregister(this), t;
  }
  free() {
    let t = this.__destroy_into_raw();
    f();
    try {
      i.__wbg_minifyconfig_free(t, 0);
    } catch (e) {
      a(e);
    }
  }
  get css() {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    let t;
    f();
    try {
      t = i.__wbg_get_minifyconfig_css(this.__wbg_ptr);
    } catch (e) {
      a(e);
    }
    return t !== 0;
  }
  get html() {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    let t;
    f();
    try {
      t = i.__wbg_get_minifyconfig_html(this.__wbg_ptr);
    } catch (e) {
      a(e);
    }
    return t !== 0;
  }
  get js() {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    let t;
    f();
    try {
      t = i.__wbg_get_minifyconfig_js(this.__wbg_ptr);
    } catch (e) {
      a(e);
    }
    return t !== 0;
  }
  set css(t) {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    f();
    try {
      i.__wbg_set_minifyconfig_css(this.__wbg_ptr, t);
    } catch (e) {
      a(e);
    }
  }
  set html(t) {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    f();
    try {
      i.__wbg_set_minifyconfig_html(this.__wbg_ptr, t);
    } catch (e) {
      a(e);
    }
  }
  set js(t) {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    f();
    try {
      i.__wbg_set_minifyconfig_js(this.__wbg_ptr, t);
    } catch (e) {
      a(e);
    }
  }
};
Symbol.dispose && (R.prototype[Symbol.dispose] = R.prototype.free);
var A = class {
  static {
    __name(this, "A");
  }
  __destroy_into_raw() {
    let t = this.__wbg_ptr;
    return this.__wbg_ptr = 0, At.unregister(this), t;
  }
  free() {
    let t = this.__destroy_into_raw();
    f();
    try {
      i.__wbg_r2range_free(t, 0);
    } catch (e) {
      a(e);
    }
  }
  get length() {
    try {
      if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
      let n = i.__wbindgen_add_to_stack_pointer(-16) >>> 0;
      f();
      try {
        i.__wbg_get_r2range_length(n, this.__wbg_ptr);
      } catch (_) {
        a(_);
      }
      var t = u().getInt32(n + 0, true), e = u().getFloat64(n + 8, true);
      return t === 0 ? void 0 : e;
    } finally {
      i.__wbindgen_add_to_stack_pointer(16);
    }
  }
  get offset() {
    try {
      if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
      let n = i.__wbindgen_add_to_stack_pointer(-16) >>> 0;
      f();
      try {
        i.__wbg_get_r2range_offset(n, this.__wbg_ptr);
      } catch (_) {
        a(_);
      }
      var t = u().getInt32(n + 0, true), e = u().getFloat64(n + 8, true);
      return t === 0 ? void 0 : e;
    } finally {
      i.__wbindgen_add_to_stack_pointer(16);
    }
  }
  get suffix() {
    try {
      if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
      let n = i.__wbindgen_add_to_stack_pointer(-16) >>> 0;
      f();
      try {
        i.__wbg_get_r2range_suffix(n, this.__wbg_ptr);
      } catch (_) {
        a(_);
      }
      var t = u().getInt32(n + 0, true), e = u().getFloat64(n + 8, true);
      return t === 0 ? void 0 : e;
    } finally {
      i.__wbindgen_add_to_stack_pointer(16);
    }
  }
  set length(t) {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    f();
    try {
      i.__wbg_set_r2range_length(this.__wbg_ptr, !b(t), b(t) ? 0 : t);
    } catch (e) {
      a(e);
    }
  }
  set offset(t) {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    f();
    try {
      i.__wbg_set_r2range_offset(this.__wbg_ptr, !b(t), b(t) ? 0 : t);
    } catch (e) {
      a(e);
    }
  }
  set suffix(t) {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    f();
    try {
      i.__wbg_set_r2range_suffix(this.__wbg_ptr, !b(t), b(t) ? 0 : t);
    } catch (e) {
      a(e);
    }
  }
};
Symbol.dispose && (A.prototype[Symbol.dispose] = A.prototype.free);
var F = class r2 {
  static {
    __name(this, "r");
  }
  static __wrap(t) {
    let e = Object.create(r2.prototype);
    return e.__wbg_ptr = t, Object.defineProperty(e, "__wbg_inst", { value: s, writable: true }), ct.register(e, { ptr: t, instance: s }, e), e;
  }
  __destroy_into_raw() {
    let t = this.__wbg_ptr;
    return this.__wbg_ptr = 0, ct.unregister(this), t;
  }
  free() {
    let t = this.__destroy_into_raw();
    f();
    try {
      i.__wbg_rewriter_free(t, 0);
    } catch (e) {
      a(e);
    }
  }
  finish() {
    try {
      if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
      let _ = i.__wbindgen_add_to_stack_pointer(-16) >>> 0;
      f();
      try {
        i.rewriter_finish(_, this.__wbg_ptr);
      } catch (o) {
        a(o);
      }
      var t = u().getInt32(_ + 0, true), e = u().getInt32(_ + 4, true), n = I(t, e).slice();
      return i.__wbindgen_export4(t, e * 1, 1), n;
    } finally {
      i.__wbindgen_add_to_stack_pointer(16);
    }
  }
  finished() {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    let t;
    f();
    try {
      t = i.rewriter_finished(this.__wbg_ptr);
    } catch (e) {
      a(e);
    }
    return t !== 0;
  }
  push(t) {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    let e = zt(t, i.__wbindgen_export2), n = p, _;
    f();
    try {
      _ = i.rewriter_push(this.__wbg_ptr, e, n);
    } catch (o) {
      a(o);
    }
    return _;
  }
  ready() {
    if (this.__wbg_inst !== void 0 && this.__wbg_inst !== s) throw new Error("Invalid stale object from previous Wasm instance");
    let t;
    f();
    try {
      t = i.rewriter_ready(this.__wbg_ptr);
    } catch (e) {
      a(e);
    }
    return t !== 0;
  }
};
Symbol.dispose && (F.prototype[Symbol.dispose] = F.prototype.free);
function B() {
  s++, E = null, T = null, O = null, typeof numBytesDecoded < "u" && (numBytesDecoded = 0), typeof p < "u" && (p = 0), X = false, N = false, Q = new WebAssembly.Instance(ft, dt()), i = Q.exports, i.__wbindgen_start();
}
__name(B, "B");
function ut() {
  let r3;
  f();
  try {
    r3 = i.__worker_init_state();
  } catch (t) {
    a(t);
  }
  return r3;
}
__name(ut, "ut");
function bt(r3, t, e) {
  let n;
  f();
  try {
    n = i.fetch(r3, t, e);
  } catch (_) {
    a(_);
  }
  return n;
}
__name(bt, "bt");
function dt() {
  return { __proto__: null, "./index_bg.js": { __proto__: null, __wbg_Error_208446807d0d1e30: /* @__PURE__ */ __name(function(t, e) {
    return Error(g(t, e));
  }, "__wbg_Error_208446807d0d1e30"), __wbg_String_8564e559799eccda: /* @__PURE__ */ __name(function(t, e) {
    let n = String(e), _ = v(n, i.__wbindgen_export2, i.__wbindgen_export3), o = p;
    u().setInt32((t >>> 0) + 4, o, true), u().setInt32((t >>> 0) + 0, _, true);
  }, "__wbg_String_8564e559799eccda"), __wbg___wbindgen_boolean_get_4f1baf9a00be3c74: /* @__PURE__ */ __name(function(t) {
    let e = t, n = typeof e == "boolean" ? e : void 0;
    return b(n) ? 16777215 : n ? 1 : 0;
  }, "__wbg___wbindgen_boolean_get_4f1baf9a00be3c74"), __wbg___wbindgen_debug_string_f249a2a76caa9a55: /* @__PURE__ */ __name(function(t, e) {
    let n = gt(e), _ = v(n, i.__wbindgen_export2, i.__wbindgen_export3), o = p;
    u().setInt32((t >>> 0) + 4, o, true), u().setInt32((t >>> 0) + 0, _, true);
  }, "__wbg___wbindgen_debug_string_f249a2a76caa9a55"), __wbg___wbindgen_is_function_741ff2bb612836f5: /* @__PURE__ */ __name(function(t) {
    return typeof t == "function";
  }, "__wbg___wbindgen_is_function_741ff2bb612836f5"), __wbg___wbindgen_is_null_or_undefined_fb96af93c75460ae: /* @__PURE__ */ __name(function(t) {
    return t == null;
  }, "__wbg___wbindgen_is_null_or_undefined_fb96af93c75460ae"), __wbg___wbindgen_is_string_fc456fee5d3317de: /* @__PURE__ */ __name(function(t) {
    return typeof t == "string";
  }, "__wbg___wbindgen_is_string_fc456fee5d3317de"), __wbg___wbindgen_is_undefined_be5b34249ff1fc15: /* @__PURE__ */ __name(function(t) {
    return t === void 0;
  }, "__wbg___wbindgen_is_undefined_be5b34249ff1fc15"), __wbg___wbindgen_number_get_934b640d0889af78: /* @__PURE__ */ __name(function(t, e) {
    let n = e, _ = typeof n == "number" ? n : void 0;
    u().setFloat64((t >>> 0) + 8, b(_) ? 0 : _, true), u().setInt32((t >>> 0) + 0, !b(_), true);
  }, "__wbg___wbindgen_number_get_934b640d0889af78"), __wbg___wbindgen_reinit_2fe0d0b9c1cc3c21: /* @__PURE__ */ __name(function() {
    N = true;
  }, "__wbg___wbindgen_reinit_2fe0d0b9c1cc3c21"), __wbg___wbindgen_string_get_7ce8eee7fd327545: /* @__PURE__ */ __name(function(t, e) {
    let n = e, _ = typeof n == "string" ? n : void 0;
    var o = b(_) ? 0 : v(_, i.__wbindgen_export2, i.__wbindgen_export3), c = p;
    u().setInt32((t >>> 0) + 4, c, true), u().setInt32((t >>> 0) + 0, o, true);
  }, "__wbg___wbindgen_string_get_7ce8eee7fd327545"), __wbg___wbindgen_throw_4c88d8bf264fd984: /* @__PURE__ */ __name(function(t, e) {
    throw new WebAssembly.Exception(K, [new Error(g(t, e))]);
  }, "__wbg___wbindgen_throw_4c88d8bf264fd984"), __wbg__wbg_cb_unref_09736879a3f67559: /* @__PURE__ */ __name(function(t) {
    t._wbg_cb_unref();
  }, "__wbg__wbg_cb_unref_09736879a3f67559"), __wbg_append_ba9a4dc30a0323fd: /* @__PURE__ */ __name(function(t, e, n, _, o) {
    t.append(g(e, n), g(_, o));
  }, "__wbg_append_ba9a4dc30a0323fd"), __wbg_body_0da01a9a056907d8: /* @__PURE__ */ __name(function(t) {
    let e = t.body;
    return b(e) ? 0 : h(e);
  }, "__wbg_body_0da01a9a056907d8"), __wbg_body_b86ad4fe78cc379c: /* @__PURE__ */ __name(function(t) {
    let e = t.body;
    return b(e) ? 0 : h(e);
  }, "__wbg_body_b86ad4fe78cc379c"), __wbg_buffer_aca05a93c046db1a: /* @__PURE__ */ __name(function(t) {
    return t.buffer;
  }, "__wbg_buffer_aca05a93c046db1a"), __wbg_byobRequest_18280c78e462544c: /* @__PURE__ */ __name(function(t) {
    let e = t.byobRequest;
    return b(e) ? 0 : h(e);
  }, "__wbg_byobRequest_18280c78e462544c"), __wbg_byteLength_c5f3c188d5252e5b: /* @__PURE__ */ __name(function(t) {
    return t.byteLength;
  }, "__wbg_byteLength_c5f3c188d5252e5b"), __wbg_byteOffset_63cdc7b38f33a45e: /* @__PURE__ */ __name(function(t) {
    return t.byteOffset;
  }, "__wbg_byteOffset_63cdc7b38f33a45e"), __wbg_bytesStream_79102a6f8ef5d41d: /* @__PURE__ */ __name(function(t, e) {
    return it(I(t, e));
  }, "__wbg_bytesStream_79102a6f8ef5d41d"), __wbg_bytes_2af740b5ac7ae76b: /* @__PURE__ */ __name(function(t) {
    return t.bytes;
  }, "__wbg_bytes_2af740b5ac7ae76b"), __wbg_caches_3ab34aa0ec453ad4: /* @__PURE__ */ __name(function(t) {
    return t.caches;
  }, "__wbg_caches_3ab34aa0ec453ad4"), __wbg_call_275b78b3b6520b92: /* @__PURE__ */ __name(function(t, e, n, _, o) {
    return t.call(e, n, _, o);
  }, "__wbg_call_275b78b3b6520b92"), __wbg_call_a410eb4b59ed5965: /* @__PURE__ */ __name(function(t, e, n) {
    return t.call(e, n);
  }, "__wbg_call_a410eb4b59ed5965"), __wbg_call_fc92fee6137d452d: /* @__PURE__ */ __name(function(t, e, n, _) {
    return t.call(e, n, _);
  }, "__wbg_call_fc92fee6137d452d"), __wbg_cancel_267512f685fb84c3: /* @__PURE__ */ __name(function(t) {
    return t.cancel();
  }, "__wbg_cancel_267512f685fb84c3"), __wbg_cause_4cdda1b55a30b227: /* @__PURE__ */ __name(function(t) {
    return t.cause;
  }, "__wbg_cause_4cdda1b55a30b227"), __wbg_cf_3eef96d446a499c0: /* @__PURE__ */ __name(function(t) {
    let e = t.cf;
    return b(e) ? 0 : h(e);
  }, "__wbg_cf_3eef96d446a499c0"), __wbg_cf_e4bf1d08e9961dec: /* @__PURE__ */ __name(function(t) {
    let e = t.cf;
    return b(e) ? 0 : h(e);
  }, "__wbg_cf_e4bf1d08e9961dec"), __wbg_clone_a0934ceb1865184d: /* @__PURE__ */ __name(function(t) {
    return t.clone();
  }, "__wbg_clone_a0934ceb1865184d"), __wbg_close_294d3f727cb7a844: /* @__PURE__ */ __name(function(t) {
    t.close();
  }, "__wbg_close_294d3f727cb7a844"), __wbg_close_bf94aa7e38b9a94b: /* @__PURE__ */ __name(function(t) {
    t.close();
  }, "__wbg_close_bf94aa7e38b9a94b"), __wbg_constructor_76ad3e2c50d259de: /* @__PURE__ */ __name(function(t) {
    return t.constructor;
  }, "__wbg_constructor_76ad3e2c50d259de"), __wbg_country_97c42f70ad2b423a: /* @__PURE__ */ __name(function(t, e) {
    let n = e.country;
    var _ = b(n) ? 0 : v(n, i.__wbindgen_export2, i.__wbindgen_export3), o = p;
    u().setInt32((t >>> 0) + 4, o, true), u().setInt32((t >>> 0) + 0, _, true);
  }, "__wbg_country_97c42f70ad2b423a"), __wbg_default_2969f5501908759a: /* @__PURE__ */ __name(function(t) {
    return t.default;
  }, "__wbg_default_2969f5501908759a"), __wbg_delete_e5f151d09b1731de: /* @__PURE__ */ __name(function(t, e, n) {
    t.delete(g(e, n));
  }, "__wbg_delete_e5f151d09b1731de"), __wbg_done_0037415ecc36b216: /* @__PURE__ */ __name(function(t) {
    return t.done;
  }, "__wbg_done_0037415ecc36b216"), __wbg_done_57e08d0be6e30c02: /* @__PURE__ */ __name(function(t) {
    return t.done;
  }, "__wbg_done_57e08d0be6e30c02"), __wbg_enqueue_c11626eae1c54509: /* @__PURE__ */ __name(function(t, e) {
    t.enqueue(e);
  }, "__wbg_enqueue_c11626eae1c54509"), __wbg_entries_fb0b3ba27a6e0bf7: /* @__PURE__ */ __name(function(t) {
    return t.entries();
  }, "__wbg_entries_fb0b3ba27a6e0bf7"), __wbg_error_1c99a8b019fcc947: /* @__PURE__ */ __name(function(t, e) {
    let n = e.error;
    var _ = b(n) ? 0 : v(n, i.__wbindgen_export2, i.__wbindgen_export3), o = p;
    u().setInt32((t >>> 0) + 4, o, true), u().setInt32((t >>> 0) + 0, _, true);
  }, "__wbg_error_1c99a8b019fcc947"), __wbg_error_9b95f63d905893d2: /* @__PURE__ */ __name(function(t, e) {
    console.error(t, e);
  }, "__wbg_error_9b95f63d905893d2"), __wbg_error_d1fc0193610e0e39: /* @__PURE__ */ __name(function(t) {
    console.error(t);
  }, "__wbg_error_d1fc0193610e0e39"), __wbg_fetch_0c15fd1aa74dfb4e: /* @__PURE__ */ __name(function(t, e, n, _) {
    return t.fetch(g(e, n), _);
  }, "__wbg_fetch_0c15fd1aa74dfb4e"), __wbg_fetch_6cdf7c76b04ad3b1: /* @__PURE__ */ __name(function(t, e, n) {
    return t.fetch(g(e, n));
  }, "__wbg_fetch_6cdf7c76b04ad3b1"), __wbg_fetch_8991a6a8ea67c83b: /* @__PURE__ */ __name(function(t, e, n, _) {
    return t.fetch(g(e, n), _);
  }, "__wbg_fetch_8991a6a8ea67c83b"), __wbg_fetch_a416b432a33cc077: /* @__PURE__ */ __name(function(t, e, n) {
    return t.fetch(e, n);
  }, "__wbg_fetch_a416b432a33cc077"), __wbg_getRandomValues_8b6f1f663e6f188d: /* @__PURE__ */ __name(function(t, e) {
    globalThis.crypto.getRandomValues(I(t, e));
  }, "__wbg_getRandomValues_8b6f1f663e6f188d"), __wbg_getTime_edc91481cbc4cd78: /* @__PURE__ */ __name(function(t) {
    return t.getTime();
  }, "__wbg_getTime_edc91481cbc4cd78"), __wbg_get_0ae635d02d232017: /* @__PURE__ */ __name(function(t, e) {
    let n = Reflect.get(t, e);
    return b(n) ? 0 : h(n);
  }, "__wbg_get_0ae635d02d232017"), __wbg_get_2080c49015e35254: /* @__PURE__ */ __name(function(t, e) {
    return Reflect.get(t, e);
  }, "__wbg_get_2080c49015e35254"), __wbg_get_556f1c9a5c587e8c: /* @__PURE__ */ __name(function(t, e, n, _) {
    let o = e.get(g(n, _));
    var c = b(o) ? 0 : v(o, i.__wbindgen_export2, i.__wbindgen_export3), d = p;
    u().setInt32((t >>> 0) + 4, d, true), u().setInt32((t >>> 0) + 0, c, true);
  }, "__wbg_get_556f1c9a5c587e8c"), __wbg_get_d7176cfb76d71114: /* @__PURE__ */ __name(function(t, e) {
    return t[e >>> 0];
  }, "__wbg_get_d7176cfb76d71114"), __wbg_head_24d23dc0d90a2f4a: /* @__PURE__ */ __name(function(t) {
    return t.head;
  }, "__wbg_head_24d23dc0d90a2f4a"), __wbg_headers_5fc0106c076eb731: /* @__PURE__ */ __name(function(t) {
    return t.headers;
  }, "__wbg_headers_5fc0106c076eb731"), __wbg_headers_9ef80dd266706f48: /* @__PURE__ */ __name(function(t) {
    return t.headers;
  }, "__wbg_headers_9ef80dd266706f48"), __wbg_instanceId_65a51bedfd10160a: /* @__PURE__ */ __name(function(t) {
    return t.instanceId;
  }, "__wbg_instanceId_65a51bedfd10160a"), __wbg_instanceof_ArrayBuffer_12cdaa4161423e6b: /* @__PURE__ */ __name(function(t) {
    let e;
    try {
      e = t instanceof ArrayBuffer;
    } catch {
      e = false;
    }
    return e;
  }, "__wbg_instanceof_ArrayBuffer_12cdaa4161423e6b"), __wbg_instanceof_Error_74e3cca0c4a69161: /* @__PURE__ */ __name(function(t) {
    let e;
    try {
      e = t instanceof Error;
    } catch {
      e = false;
    }
    return e;
  }, "__wbg_instanceof_Error_74e3cca0c4a69161"), __wbg_instanceof_ReadableStream_ac28304925ec0f96: /* @__PURE__ */ __name(function(t) {
    let e;
    try {
      e = t instanceof ReadableStream;
    } catch {
      e = false;
    }
    return e;
  }, "__wbg_instanceof_ReadableStream_ac28304925ec0f96"), __wbg_instanceof_Response_5b0b4f7f1daeae51: /* @__PURE__ */ __name(function(t) {
    let e;
    try {
      e = t instanceof Response;
    } catch {
      e = false;
    }
    return e;
  }, "__wbg_instanceof_Response_5b0b4f7f1daeae51"), __wbg_keys_296846770c088f87: /* @__PURE__ */ __name(function(t) {
    return t.keys();
  }, "__wbg_keys_296846770c088f87"), __wbg_length_186163212ffe79c3: /* @__PURE__ */ __name(function(t) {
    return t.length;
  }, "__wbg_length_186163212ffe79c3"), __wbg_log_ff86bbb34c295e21: /* @__PURE__ */ __name(function(t) {
    console.log(t);
  }, "__wbg_log_ff86bbb34c295e21"), __wbg_match_1a1e8c79dea6b61b: /* @__PURE__ */ __name(function(t, e, n, _) {
    return t.match(g(e, n), _);
  }, "__wbg_match_1a1e8c79dea6b61b"), __wbg_match_a35da85c9e58b198: /* @__PURE__ */ __name(function(t, e, n) {
    return t.match(e, n);
  }, "__wbg_match_a35da85c9e58b198"), __wbg_message_43d8c8f1d543a349: /* @__PURE__ */ __name(function(t) {
    return t.message;
  }, "__wbg_message_43d8c8f1d543a349"), __wbg_method_3d406ebab4dd9853: /* @__PURE__ */ __name(function(t, e) {
    let n = e.method, _ = v(n, i.__wbindgen_export2, i.__wbindgen_export3), o = p;
    u().setInt32((t >>> 0) + 4, o, true), u().setInt32((t >>> 0) + 0, _, true);
  }, "__wbg_method_3d406ebab4dd9853"), __wbg_minifyconfig_new: /* @__PURE__ */ __name(function(t) {
    return R.__wrap(t);
  }, "__wbg_minifyconfig_new"), __wbg_name_d1fa514fdca6a975: /* @__PURE__ */ __name(function(t) {
    return t.name;
  }, "__wbg_name_d1fa514fdca6a975"), __wbg_name_fd11f69c917c5670: /* @__PURE__ */ __name(function(t) {
    return t.name;
  }, "__wbg_name_fd11f69c917c5670"), __wbg_new_0_36d738a0c8cfac43: /* @__PURE__ */ __name(function() {
    return /* @__PURE__ */ new Date();
  }, "__wbg_new_0_36d738a0c8cfac43"), __wbg_new_13de428334042d26: /* @__PURE__ */ __name(function(t) {
    return new Uint8Array(t);
  }, "__wbg_new_13de428334042d26"), __wbg_new_277c27c26f94cbc2: /* @__PURE__ */ __name(function() {
    return new Headers();
  }, "__wbg_new_277c27c26f94cbc2"), __wbg_new_37eb45aaf5eeb820: /* @__PURE__ */ __name(function() {
    return new Array();
  }, "__wbg_new_37eb45aaf5eeb820"), __wbg_new_7075786089b89c5e: /* @__PURE__ */ __name(function() {
    return /* @__PURE__ */ new Map();
  }, "__wbg_new_7075786089b89c5e"), __wbg_new_787b9fb330d55d78: /* @__PURE__ */ __name(function(t, e) {
    return new Error(g(t, e));
  }, "__wbg_new_787b9fb330d55d78"), __wbg_new_cd4348290afae586: /* @__PURE__ */ __name(function() {
    return new Object();
  }, "__wbg_new_cd4348290afae586"), __wbg_new_from_slice_b8daf545a41c6aa0: /* @__PURE__ */ __name(function(t, e) {
    return new Uint8Array(I(t, e));
  }, "__wbg_new_from_slice_b8daf545a41c6aa0"), __wbg_new_typed_e09da9dae6ee5935: /* @__PURE__ */ __name(function(t, e) {
    try {
      var n = { a: t, b: e }, _ = /* @__PURE__ */ __name((c, d) => {
        let w = n.a;
        n.a = 0;
        try {
          return xt(w, n.b, c, d);
        } finally {
          n.a = w;
        }
      }, "_");
      return new Promise(_);
    } finally {
      n.a = 0;
    }
  }, "__wbg_new_typed_e09da9dae6ee5935"), __wbg_new_with_byte_offset_and_length_3cd32055a417f095: /* @__PURE__ */ __name(function(t, e, n) {
    return new Uint8Array(t, e >>> 0, n >>> 0);
  }, "__wbg_new_with_byte_offset_and_length_3cd32055a417f095"), __wbg_new_with_headers_28412d4f955f6225: /* @__PURE__ */ __name(function(t) {
    return new Headers(t);
  }, "__wbg_new_with_headers_28412d4f955f6225"), __wbg_new_with_length_01b143a7e5dd5a3e: /* @__PURE__ */ __name(function(t) {
    return new Uint8Array(t >>> 0);
  }, "__wbg_new_with_length_01b143a7e5dd5a3e"), __wbg_new_with_opt_buffer_source_and_init_efb63b64b37a12c7: /* @__PURE__ */ __name(function(t, e) {
    return new Response(t, e);
  }, "__wbg_new_with_opt_buffer_source_and_init_efb63b64b37a12c7"), __wbg_new_with_opt_readable_stream_and_init_383c64eccf9e9cc7: /* @__PURE__ */ __name(function(t, e) {
    return new Response(t, e);
  }, "__wbg_new_with_opt_readable_stream_and_init_383c64eccf9e9cc7"), __wbg_new_with_opt_str_and_init_6456bed24baae6fc: /* @__PURE__ */ __name(function(t, e, n) {
    return new Response(t === 0 ? void 0 : g(t, e), n);
  }, "__wbg_new_with_opt_str_and_init_6456bed24baae6fc"), __wbg_new_with_str_and_init_d9f6b5611184e16b: /* @__PURE__ */ __name(function(t, e, n) {
    return new Request(g(t, e), n);
  }, "__wbg_new_with_str_and_init_d9f6b5611184e16b"), __wbg_next_af5ac6a08bb0a717: /* @__PURE__ */ __name(function(t) {
    return t.next();
  }, "__wbg_next_af5ac6a08bb0a717"), __wbg_prepend_07f834d650bdf666: /* @__PURE__ */ __name(function(t, e, n, _, o) {
    let c;
    return _ !== 0 && (c = g(_, o), i.__wbindgen_export4(_, o * 1, 1)), _t(I(t, e), n, c);
  }, "__wbg_prepend_07f834d650bdf666"), __wbg_prototypesetcall_13162965d1fe7aa3: /* @__PURE__ */ __name(function(t, e, n) {
    Uint8Array.prototype.set.call(I(t, e), n);
  }, "__wbg_prototypesetcall_13162965d1fe7aa3"), __wbg_pump_be0f4f0e1c30ab9e: /* @__PURE__ */ __name(function(t, e, n) {
    return nt(t, F.__wrap(e), n >>> 0);
  }, "__wbg_pump_be0f4f0e1c30ab9e"), __wbg_put_005f9c715f33e29b: /* @__PURE__ */ __name(function(t, e, n) {
    return t.put(e, n);
  }, "__wbg_put_005f9c715f33e29b"), __wbg_put_ec58003b2437836e: /* @__PURE__ */ __name(function(t, e, n, _) {
    return t.put(g(e, n), _);
  }, "__wbg_put_ec58003b2437836e"), __wbg_queueMicrotask_1e8503a8a690f0a3: /* @__PURE__ */ __name(function(t) {
    return t.queueMicrotask;
  }, "__wbg_queueMicrotask_1e8503a8a690f0a3"), __wbg_queueMicrotask_4a1a4d8dd332373b: /* @__PURE__ */ __name(function(t) {
    queueMicrotask(t);
  }, "__wbg_queueMicrotask_4a1a4d8dd332373b"), __wbg_readUpTo_6cb35c830863097d: /* @__PURE__ */ __name(function(t, e) {
    return rt(t, e >>> 0);
  }, "__wbg_readUpTo_6cb35c830863097d"), __wbg_resolve_dbf78ab4942478b0: /* @__PURE__ */ __name(function(t) {
    return Promise.resolve(t);
  }, "__wbg_resolve_dbf78ab4942478b0"), __wbg_respond_d97c023ee981d1f5: /* @__PURE__ */ __name(function(t, e) {
    t.respond(e >>> 0);
  }, "__wbg_respond_d97c023ee981d1f5"), __wbg_rest_ed654057edc6a872: /* @__PURE__ */ __name(function(t) {
    let e = t.rest;
    return b(e) ? 0 : h(e);
  }, "__wbg_rest_ed654057edc6a872"), __wbg_set_2793479888329cb6: /* @__PURE__ */ __name(function(t, e, n) {
    return Reflect.set(t, e, n);
  }, "__wbg_set_2793479888329cb6"), __wbg_set_8282f7e0d2d01336: /* @__PURE__ */ __name(function(t, e, n) {
    return t.set(e, n);
  }, "__wbg_set_8282f7e0d2d01336"), __wbg_set_bcb0ec2400cfa22e: /* @__PURE__ */ __name(function(t, e, n, _, o) {
    t.set(g(e, n), g(_, o));
  }, "__wbg_set_bcb0ec2400cfa22e"), __wbg_set_body_877d5251e78ca815: /* @__PURE__ */ __name(function(t, e) {
    t.body = e;
  }, "__wbg_set_body_877d5251e78ca815"), __wbg_set_cache_7a23201e29cbd632: /* @__PURE__ */ __name(function(t, e) {
    t.cache = Rt[e];
  }, "__wbg_set_cache_7a23201e29cbd632"), __wbg_set_criticalError_c30445da7038dbf2: /* @__PURE__ */ __name(function(t, e) {
    t.criticalError = e !== 0;
  }, "__wbg_set_criticalError_c30445da7038dbf2"), __wbg_set_d2d33b52458e984a: /* @__PURE__ */ __name(function(t, e, n) {
    t[e >>> 0] = n;
  }, "__wbg_set_d2d33b52458e984a"), __wbg_set_e4b9a833d288759a: /* @__PURE__ */ __name(function(t, e, n) {
    t[e] = n;
  }, "__wbg_set_e4b9a833d288759a"), __wbg_set_feb3714f475485ba: /* @__PURE__ */ __name(function(t, e, n) {
    t.set(I(e, n));
  }, "__wbg_set_feb3714f475485ba"), __wbg_set_headers_07f10dbe49bc0e77: /* @__PURE__ */ __name(function(t, e) {
    t.headers = e;
  }, "__wbg_set_headers_07f10dbe49bc0e77"), __wbg_set_headers_6d75a7df4eb22716: /* @__PURE__ */ __name(function(t, e) {
    t.headers = e;
  }, "__wbg_set_headers_6d75a7df4eb22716"), __wbg_set_ignore_method_27a45a85573cc266: /* @__PURE__ */ __name(function(t, e) {
    t.ignoreMethod = e !== 0;
  }, "__wbg_set_ignore_method_27a45a85573cc266"), __wbg_set_instanceId_6f5f77d81e249b49: /* @__PURE__ */ __name(function(t, e) {
    t.instanceId = e >>> 0;
  }, "__wbg_set_instanceId_6f5f77d81e249b49"), __wbg_set_method_639e69af35614d36: /* @__PURE__ */ __name(function(t, e, n) {
    t.method = g(e, n);
  }, "__wbg_set_method_639e69af35614d36"), __wbg_set_redirect_a95a432ab7d10765: /* @__PURE__ */ __name(function(t, e) {
    t.redirect = Ft[e];
  }, "__wbg_set_redirect_a95a432ab7d10765"), __wbg_set_signal_0b2eee78907e5ba7: /* @__PURE__ */ __name(function(t, e) {
    t.signal = e;
  }, "__wbg_set_signal_0b2eee78907e5ba7"), __wbg_set_status_bd9dc81d1c17b108: /* @__PURE__ */ __name(function(t, e) {
    t.status = e;
  }, "__wbg_set_status_bd9dc81d1c17b108"), __wbg_static_accessor_GLOBAL_THIS_003ee833af9699fc: /* @__PURE__ */ __name(function() {
    let t = typeof globalThis > "u" ? void 0 : globalThis;
    return b(t) ? 0 : h(t);
  }, "__wbg_static_accessor_GLOBAL_THIS_003ee833af9699fc"), __wbg_static_accessor_GLOBAL_e4293fb22cbe77da: /* @__PURE__ */ __name(function() {
    let t = typeof global > "u" ? void 0 : global;
    return b(t) ? 0 : h(t);
  }, "__wbg_static_accessor_GLOBAL_e4293fb22cbe77da"), __wbg_static_accessor_INIT_STATE_b2269150d11f01e0: /* @__PURE__ */ __name(function() {
    return ot;
  }, "__wbg_static_accessor_INIT_STATE_b2269150d11f01e0"), __wbg_static_accessor_SELF_53bb20457401453d: /* @__PURE__ */ __name(function() {
    let t = typeof self > "u" ? void 0 : self;
    return b(t) ? 0 : h(t);
  }, "__wbg_static_accessor_SELF_53bb20457401453d"), __wbg_static_accessor_WINDOW_b5e0810bfecb7feb: /* @__PURE__ */ __name(function() {
    let t = typeof window > "u" ? void 0 : window;
    return b(t) ? 0 : h(t);
  }, "__wbg_static_accessor_WINDOW_b5e0810bfecb7feb"), __wbg_status_cb85b6c8d1769fa1: /* @__PURE__ */ __name(function(t) {
    return t.status;
  }, "__wbg_status_cb85b6c8d1769fa1"), __wbg_stringify_0a0fbf2ef722380a: /* @__PURE__ */ __name(function(t) {
    return JSON.stringify(t);
  }, "__wbg_stringify_0a0fbf2ef722380a"), __wbg_then_656f253a5dd7d8ea: /* @__PURE__ */ __name(function(t, e, n) {
    return t.then(e, n);
  }, "__wbg_then_656f253a5dd7d8ea"), __wbg_then_e3f7f2d365708be8: /* @__PURE__ */ __name(function(t, e) {
    return t.then(e);
  }, "__wbg_then_e3f7f2d365708be8"), __wbg_timeout_6d701c12be1d4627: /* @__PURE__ */ __name(function(t) {
    return AbortSignal.timeout(t >>> 0);
  }, "__wbg_timeout_6d701c12be1d4627"), __wbg_url_1be993c7b186415b: /* @__PURE__ */ __name(function(t, e) {
    let n = e.url, _ = v(n, i.__wbindgen_export2, i.__wbindgen_export3), o = p;
    u().setInt32((t >>> 0) + 4, o, true), u().setInt32((t >>> 0) + 0, _, true);
  }, "__wbg_url_1be993c7b186415b"), __wbg_value_e0f328965e184931: /* @__PURE__ */ __name(function(t) {
    return t.value;
  }, "__wbg_value_e0f328965e184931"), __wbg_view_3b708d3bdaf3fc96: /* @__PURE__ */ __name(function(t) {
    let e = t.view;
    return b(e) ? 0 : h(e);
  }, "__wbg_view_3b708d3bdaf3fc96"), __wbg_waitUntil_0c139a1768f7d284: /* @__PURE__ */ __name(function(t, e) {
    t.waitUntil(e);
  }, "__wbg_waitUntil_0c139a1768f7d284"), __wbg_warn_228ff2257384d295: /* @__PURE__ */ __name(function(t) {
    console.warn(t);
  }, "__wbg_warn_228ff2257384d295"), __wbg_webSocket_71791e807603b1e4: /* @__PURE__ */ __name(function(t) {
    let e = t.webSocket;
    return b(e) ? 0 : h(e);
  }, "__wbg_webSocket_71791e807603b1e4"), __wbindgen_generic_0000000000000001: /* @__PURE__ */ __name(function(t, e) {
    return Ot(t, e, It);
  }, "__wbindgen_generic_0000000000000001"), __wbindgen_generic_0000000000000002: /* @__PURE__ */ __name(function(t) {
    return t;
  }, "__wbindgen_generic_0000000000000002"), __wbindgen_generic_0000000000000003: /* @__PURE__ */ __name(function(t) {
    return t;
  }, "__wbindgen_generic_0000000000000003"), __wbindgen_generic_0000000000000004: /* @__PURE__ */ __name(function(t, e) {
    return g(t, e);
  }, "__wbindgen_generic_0000000000000004"), __wbindgen_generic_0000000000000005: /* @__PURE__ */ __name(function(t) {
    return BigInt.asUintN(64, t);
  }, "__wbindgen_generic_0000000000000005"), __wbindgen_init_externref_table: /* @__PURE__ */ __name(function() {
    let t = i.__wbindgen_externrefs;
    t.set(0, void 0), t.set(1024, void 0), t.set(1025, null), t.set(1026, true), t.set(1027, false);
  }, "__wbindgen_init_externref_table"), __wbindgen_jstag: WebAssembly.JSTag, __wbindgen_rethrow_critical: /* @__PURE__ */ __name(function(t) {
    throw new Error("Critical error", { cause: t });
  }, "__wbindgen_rethrow_critical") } };
}
__name(dt, "dt");
var K = new WebAssembly.Tag({ parameters: ["externref"] });
var G;
var X = false;
function wt() {
  X = true;
  try {
    let r3 = Y()[i.__abort_handler.value / 4];
    r3 && i.__wbindgen_export.get(r3)();
  } catch {
  }
}
__name(wt, "wt");
function a(r3) {
  throw r3 instanceof WebAssembly.Exception && r3.is(K) ? r3.getArg(K, 0) : (Y()[G] = 1, wt(), r3);
}
__name(a, "a");
function f() {
  if (G ??= i.__instance_terminated.value / 4, Y()[G]) {
    if (X || wt(), N) {
      B();
      return;
    }
    throw new Error("Module terminated");
  } else N && B();
}
__name(f, "f");
function xt(r3, t, e, n) {
  f();
  try {
    i.__wasm_bindgen_func_elem_4748(r3, t, e, n);
  } catch (_) {
    a(_);
  }
}
__name(xt, "xt");
function It(r3, t, e) {
  try {
    let o = i.__wbindgen_add_to_stack_pointer(-16) >>> 0;
    f();
    try {
      i.__wasm_bindgen_func_elem_4743(o, r3, t, e);
    } catch (c) {
      a(c);
    }
    var n = u().getInt32(o + 0, true), _ = u().getInt32(o + 4, true);
    if (_) throw Pt(n);
  } finally {
    i.__wbindgen_add_to_stack_pointer(16);
  }
}
__name(It, "It");
var Et = ["bytes"];
var Rt = ["default", "no-store", "reload", "no-cache", "force-cache", "only-if-cached"];
var Ft = ["follow", "error", "manual"];
var s = 0;
var jt = typeof FinalizationRegistry > "u" ? { register: /* @__PURE__ */ __name(() => {
}, "register"), unregister: /* @__PURE__ */ __name(() => {
}, "unregister") } : new FinalizationRegistry(({ ptr: r3, instance: t }) => {
  t === s && i.__wbg_containerstartupoptions_free(r3, 1);
});
var Wt = typeof FinalizationRegistry > "u" ? { register: /* @__PURE__ */ __name(() => {
}, "register"), unregister: /* @__PURE__ */ __name(() => {
}, "unregister") } : new FinalizationRegistry(({ ptr: r3, instance: t }) => {
  t === s && i.__wbg_intounderlyingbytesource_free(r3, 1);
});
var St = typeof FinalizationRegistry > "u" ? { register: /* @__PURE__ */ __name(() => {
}, "register"), unregister: /* @__PURE__ */ __name(() => {
}, "unregister") } : new FinalizationRegistry(({ ptr: r3, instance: t }) => {
  t === s && i.__wbg_intounderlyingsink_free(r3, 1);
});
var kt = typeof FinalizationRegistry > "u" ? { register: /* @__PURE__ */ __name(() => {
}, "register"), unregister: /* @__PURE__ */ __name(() => {
}, "unregister") } : new FinalizationRegistry(({ ptr: r3, instance: t }) => {
  t === s && i.__wbg_intounderlyingsource_free(r3, 1);
});
var st = typeof FinalizationRegistry > "u" ? { register: /* @__PURE__ */ __name(() => {
}, "register"), unregister: /* @__PURE__ */ __name(() => {
}, "unregister") } : new FinalizationRegistry(({ ptr: r3, instance: t }) => {
  t === s && i.__wbg_minifyconfig_free(r3, 1);
});
var At = typeof FinalizationRegistry > "u" ? { register: /* @__PURE__ */ __name(() => {
}, "register"), unregister: /* @__PURE__ */ __name(() => {
}, "unregister") } : new FinalizationRegistry(({ ptr: r3, instance: t }) => {
  t === s && i.__wbg_r2range_free(r3, 1);
});
var ct = typeof FinalizationRegistry > "u" ? { register: /* @__PURE__ */ __name(() => {
}, "register"), unregister: /* @__PURE__ */ __name(() => {
}, "unregister") } : new FinalizationRegistry(({ ptr: r3, instance: t }) => {
  t === s && i.__wbg_rewriter_free(r3, 1);
});
function h(r3) {
  let t = i.__wbindgen_export5();
  return i.__wbindgen_externrefs.set(t, r3), t;
}
__name(h, "h");
var at = typeof FinalizationRegistry > "u" ? { register: /* @__PURE__ */ __name(() => {
}, "register"), unregister: /* @__PURE__ */ __name(() => {
}, "unregister") } : new FinalizationRegistry((r3) => {
  r3.instance === s && i.__wbindgen_export6(r3.a, r3.b);
});
function gt(r3) {
  switch (typeof r3) {
    case "number":
    case "boolean":
    case "undefined":
      return `${r3}`;
    case "string":
      return JSON.stringify(r3);
    case "bigint":
      return `${r3}n`;
    case "symbol":
      return r3.description !== void 0 ? `Symbol(${r3.description})` : "Symbol";
    case "function":
      return typeof r3.name == "string" && r3.name !== "" ? `Function(${r3.name})` : "Function";
    case "object": {
      if (r3 === null) return "null";
      if (Array.isArray(r3)) return "[" + Array.from(r3, gt).join(", ") + "]";
      if (r3 instanceof Error) return `${r3.name}: ${r3.message}
${r3.stack}`;
      let t = toString.call(r3), e = /\[object ([^\]]+)\]/.exec(t)?.[1];
      if (e === void 0) return t;
      if (e === "Object") try {
        return "Object(" + JSON.stringify(r3) + ")";
      } catch {
        return "Object";
      }
      return e;
    }
  }
}
__name(gt, "gt");
function Tt(r3, t) {
  r3 = r3 >>> 0;
  let e = u(), n = [];
  for (let _ = r3; _ < r3 + 4 * t; _ += 4) n.push(i.__wbindgen_externrefs.get(e.getUint32(_, true)));
  return i.__wbindgen_export7(r3, t), n;
}
__name(Tt, "Tt");
function I(r3, t) {
  return r3 = r3 >>> 0, S().subarray(r3 / 1, r3 / 1 + t);
}
__name(I, "I");
var E = null;
function u() {
  return (E === null || E.buffer.detached === true || E.buffer.detached === void 0 && E.buffer !== i.memory.buffer) && (E = new DataView(i.memory.buffer)), E;
}
__name(u, "u");
var T = null;
function Y() {
  return (T === null || T.byteLength === 0) && (T = new Int32Array(i.memory.buffer)), T;
}
__name(Y, "Y");
function g(r3, t) {
  return r3 = r3 >>> 0, Lt(S().subarray(r3, r3 + t));
}
__name(g, "g");
var O = null;
function S() {
  return (O === null || O.byteLength === 0) && (O = new Uint8Array(i.memory.buffer)), O;
}
__name(S, "S");
function b(r3) {
  return r3 == null;
}
__name(b, "b");
function Ot(r3, t, e) {
  let n = { a: r3, b: t, cnt: 1, instance: s }, _ = /* @__PURE__ */ __name((...o) => {
    if (n.instance !== s) throw new Error("Cannot invoke closure from previous WASM instance");
    n.cnt++;
    let c = n.a;
    n.a = 0;
    try {
      return e(c, n.b, ...o);
    } finally {
      n.a = c, _._wbg_cb_unref();
    }
  }, "_");
  return _._wbg_cb_unref = () => {
    --n.cnt === 0 && (i.__wbindgen_export6(n.a, n.b), n.a = 0, at.unregister(n));
  }, at.register(_, n, n), _;
}
__name(Ot, "Ot");
function zt(r3, t) {
  let e = t(r3.length * 1, 1) >>> 0;
  return S().set(r3, e / 1), p = r3.length, e;
}
__name(zt, "zt");
function Ut(r3, t) {
  let e = t(r3.length * 4, 4) >>> 0;
  for (let n = 0; n < r3.length; n++) {
    let _ = h(r3[n]);
    u().setUint32(e + 4 * n, _, true);
  }
  return p = r3.length, e;
}
__name(Ut, "Ut");
function v(r3, t, e) {
  if (e === void 0) {
    let d = z.encode(r3), w = t(d.length, 1) >>> 0;
    return S().subarray(w, w + d.length).set(d), p = d.length, w;
  }
  let n = r3.length, _ = t(n, 1) >>> 0, o = S(), c = 0;
  for (; c < n; c++) {
    let d = r3.charCodeAt(c);
    if (d > 127) break;
    o[_ + c] = d;
  }
  if (c !== n) {
    c !== 0 && (r3 = r3.slice(c)), _ = e(_, n, n = c + r3.length * 3, 1) >>> 0;
    let d = S().subarray(_ + c, _ + n), w = z.encodeInto(r3, d);
    c += w.written, _ = e(_, n, c, 1) >>> 0;
  }
  return p = c, _;
}
__name(v, "v");
var N = false;
function Pt(r3) {
  let t = i.__wbindgen_externrefs.get(r3);
  return i.__wbindgen_export8(r3), t;
}
__name(Pt, "Pt");
var lt = new TextDecoder("utf-8", { ignoreBOM: true });
lt.decode();
function Lt(r3) {
  return lt.decode(r3);
}
__name(Lt, "Lt");
var z = new TextEncoder();
"encodeInto" in z || (z.encodeInto = function(r3, t) {
  let e = z.encode(r3);
  return t.set(e), { read: r3.length, written: e.length };
});
var p = 0;
var Q = new WebAssembly.Instance(ft, dt());
var i = Q.exports;
i.__wbindgen_start();
Error.stackTraceLimit = 100;
var x = ut();
function Z() {
  x.criticalError && (console.log("Reinitializing Wasm application"), B(), x.criticalError = false, x.instanceId++);
}
__name(Z, "Z");
addEventListener("error", (r3) => {
  tt(r3.error);
});
function tt(r3) {
  r3 instanceof WebAssembly.RuntimeError && (console.error("Critical", r3), x.criticalError = true);
}
__name(tt, "tt");
var V = class extends Ct {
  static {
    __name(this, "V");
  }
};
V.prototype.fetch = function(t) {
  return bt.call(this, t, this.env, this.ctx);
};
var Dt = { set: /* @__PURE__ */ __name((r3, t, e, n) => Reflect.set(r3.instance, t, e, n), "set"), has: /* @__PURE__ */ __name((r3, t) => Reflect.has(r3.instance, t), "has"), deleteProperty: /* @__PURE__ */ __name((r3, t) => Reflect.deleteProperty(r3.instance, t), "deleteProperty"), apply: /* @__PURE__ */ __name((r3, t, e) => Reflect.apply(r3.instance, t, e), "apply"), construct: /* @__PURE__ */ __name((r3, t, e) => Reflect.construct(r3.instance, t, e), "construct"), getPrototypeOf: /* @__PURE__ */ __name((r3) => Reflect.getPrototypeOf(r3.instance), "getPrototypeOf"), setPrototypeOf: /* @__PURE__ */ __name((r3, t) => Reflect.setPrototypeOf(r3.instance, t), "setPrototypeOf"), isExtensible: /* @__PURE__ */ __name((r3) => Reflect.isExtensible(r3.instance), "isExtensible"), preventExtensions: /* @__PURE__ */ __name((r3) => Reflect.preventExtensions(r3.instance), "preventExtensions"), getOwnPropertyDescriptor: /* @__PURE__ */ __name((r3, t) => Reflect.getOwnPropertyDescriptor(r3.instance, t), "getOwnPropertyDescriptor"), defineProperty: /* @__PURE__ */ __name((r3, t, e) => Reflect.defineProperty(r3.instance, t, e), "defineProperty"), ownKeys: /* @__PURE__ */ __name((r3) => Reflect.ownKeys(r3.instance), "ownKeys") };
var U = { construct(r3, t, e) {
  try {
    Z();
    let n = { instance: Reflect.construct(r3, t, e), instanceId: x.instanceId, ctor: r3, args: t, newTarget: e };
    return new Proxy(n, { ...Dt, get(_, o, c) {
      _.instanceId !== x.instanceId && (_.instance = Reflect.construct(_.ctor, _.args, _.newTarget), _.instanceId = x.instanceId);
      let d = Reflect.get(_.instance, o, c);
      return typeof d != "function" ? d : d.constructor === Function ? new Proxy(d, { apply(w, y, j) {
        Z();
        try {
          return w.apply(y, j);
        } catch (m) {
          throw tt(m), m;
        }
      } }) : new Proxy(d, { async apply(w, y, j) {
        Z();
        try {
          return await w.apply(y, j);
        } catch (m) {
          throw tt(m), m;
        }
      } });
    } });
  } catch (n) {
    throw x.criticalError = true, n;
  }
} };
var Jt = new Proxy(V, U);
var Kt = new Proxy(k, U);
var Gt = new Proxy(R, U);
var Qt = new Proxy(A, U);
var Xt = new Proxy(F, U);

// ../../node_modules/wrangler/templates/middleware/middleware-ensure-req-body-drained.ts
var drainBody = /* @__PURE__ */ __name(async (request, env, _ctx, middlewareCtx) => {
  try {
    return await middlewareCtx.next(request, env);
  } finally {
    try {
      if (request.body !== null && !request.bodyUsed) {
        const reader = request.body.getReader();
        while (!(await reader.read()).done) {
        }
      }
    } catch (e) {
      console.error("Failed to drain the unused request body.", e);
    }
  }
}, "drainBody");
var middleware_ensure_req_body_drained_default = drainBody;

// ../../node_modules/wrangler/templates/middleware/middleware-miniflare3-json-error.ts
function reduceError(e) {
  return {
    name: e?.name,
    message: e?.message ?? String(e),
    stack: e?.stack,
    cause: e?.cause === void 0 ? void 0 : reduceError(e.cause)
  };
}
__name(reduceError, "reduceError");
var jsonError = /* @__PURE__ */ __name(async (request, env, _ctx, middlewareCtx) => {
  try {
    return await middlewareCtx.next(request, env);
  } catch (e) {
    const error = reduceError(e);
    return Response.json(error, {
      status: 500,
      headers: { "MF-Experimental-Error-Stack": "true" }
    });
  }
}, "jsonError");
var middleware_miniflare3_json_error_default = jsonError;

// .wrangler/tmp/bundle-S5e4jI/middleware-insertion-facade.js
var __INTERNAL_WRANGLER_MIDDLEWARE__ = [
  middleware_ensure_req_body_drained_default,
  middleware_miniflare3_json_error_default
];
var middleware_insertion_facade_default = Jt;

// ../../node_modules/wrangler/templates/middleware/common.ts
var __facade_middleware__ = [];
function __facade_register__(...args) {
  __facade_middleware__.push(...args.flat());
}
__name(__facade_register__, "__facade_register__");
function __facade_invokeChain__(request, env, ctx, dispatch, middlewareChain) {
  const [head, ...tail] = middlewareChain;
  const middlewareCtx = {
    dispatch,
    next(newRequest, newEnv) {
      return __facade_invokeChain__(newRequest, newEnv, ctx, dispatch, tail);
    }
  };
  return head(request, env, ctx, middlewareCtx);
}
__name(__facade_invokeChain__, "__facade_invokeChain__");
function __facade_invoke__(request, env, ctx, dispatch, finalMiddleware) {
  return __facade_invokeChain__(request, env, ctx, dispatch, [
    ...__facade_middleware__,
    finalMiddleware
  ]);
}
__name(__facade_invoke__, "__facade_invoke__");

// .wrangler/tmp/bundle-S5e4jI/middleware-loader.entry.ts
var __Facade_ScheduledController__ = class ___Facade_ScheduledController__ {
  constructor(scheduledTime, cron, noRetry) {
    this.scheduledTime = scheduledTime;
    this.cron = cron;
    this.#noRetry = noRetry;
  }
  static {
    __name(this, "__Facade_ScheduledController__");
  }
  #noRetry;
  noRetry() {
    if (!(this instanceof ___Facade_ScheduledController__)) {
      throw new TypeError("Illegal invocation");
    }
    this.#noRetry();
  }
};
function wrapExportedHandler(worker) {
  if (__INTERNAL_WRANGLER_MIDDLEWARE__ === void 0 || __INTERNAL_WRANGLER_MIDDLEWARE__.length === 0) {
    return worker;
  }
  for (const middleware of __INTERNAL_WRANGLER_MIDDLEWARE__) {
    __facade_register__(middleware);
  }
  const fetchDispatcher = /* @__PURE__ */ __name(function(request, env, ctx) {
    if (worker.fetch === void 0) {
      throw new Error("Handler does not export a fetch() function.");
    }
    return worker.fetch(request, env, ctx);
  }, "fetchDispatcher");
  return {
    ...worker,
    fetch(request, env, ctx) {
      const dispatcher = /* @__PURE__ */ __name(function(type, init) {
        if (type === "scheduled" && worker.scheduled !== void 0) {
          const controller = new __Facade_ScheduledController__(
            Date.now(),
            init.cron ?? "",
            () => {
            }
          );
          return worker.scheduled(controller, env, ctx);
        }
      }, "dispatcher");
      return __facade_invoke__(request, env, ctx, dispatcher, fetchDispatcher);
    }
  };
}
__name(wrapExportedHandler, "wrapExportedHandler");
function wrapWorkerEntrypoint(klass) {
  if (__INTERNAL_WRANGLER_MIDDLEWARE__ === void 0 || __INTERNAL_WRANGLER_MIDDLEWARE__.length === 0) {
    return klass;
  }
  for (const middleware of __INTERNAL_WRANGLER_MIDDLEWARE__) {
    __facade_register__(middleware);
  }
  return class extends klass {
    #fetchDispatcher = /* @__PURE__ */ __name((request, env, ctx) => {
      this.env = env;
      this.ctx = ctx;
      if (super.fetch === void 0) {
        throw new Error("Entrypoint class does not define a fetch() function.");
      }
      return super.fetch(request);
    }, "#fetchDispatcher");
    #dispatcher = /* @__PURE__ */ __name((type, init) => {
      if (type === "scheduled" && super.scheduled !== void 0) {
        const controller = new __Facade_ScheduledController__(
          Date.now(),
          init.cron ?? "",
          () => {
          }
        );
        return super.scheduled(controller);
      }
    }, "#dispatcher");
    fetch(request) {
      return __facade_invoke__(
        request,
        this.env,
        this.ctx,
        this.#dispatcher,
        this.#fetchDispatcher
      );
    }
  };
}
__name(wrapWorkerEntrypoint, "wrapWorkerEntrypoint");
var WRAPPED_ENTRY;
if (typeof middleware_insertion_facade_default === "object") {
  WRAPPED_ENTRY = wrapExportedHandler(middleware_insertion_facade_default);
} else if (typeof middleware_insertion_facade_default === "function") {
  WRAPPED_ENTRY = wrapWorkerEntrypoint(middleware_insertion_facade_default);
}
var middleware_loader_entry_default = WRAPPED_ENTRY;
export {
  Kt as ContainerStartupOptions,
  Gt as MinifyConfig,
  Qt as R2Range,
  Xt as Rewriter,
  __INTERNAL_WRANGLER_MIDDLEWARE__,
  middleware_loader_entry_default as default
};
//# sourceMappingURL=index.js.map
