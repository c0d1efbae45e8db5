// Module entry: the exported classes, init() receiving the JS error factory,
// the error bridge, the core's error-name and configuration-key tables, and
// the small helpers shared by the wrapped objects.
#include "addon.h"

namespace lbnode {

// The JS side's LakebaseError: the code's name comes from the core's one
// table (lakebase_error_name), so this package never lags the library.
static Napi::Value NewError(Napi::Env env, int code, const char *message,
                            int http, const char *sqlstate, const char *api) {
    auto *data = env.GetInstanceData<AddonData>();
    if (!data || data->make_error.IsEmpty())
        return Napi::Error::New(env, message).Value();
    return data->make_error.Call(
        {Napi::String::New(env, lakebase_error_name(code)),
         Napi::Number::New(env, code), Napi::String::New(env, message),
         Napi::Number::New(env, http),
         Napi::String::New(env, sqlstate ? sqlstate : ""),
         Napi::String::New(env, api ? api : "")});
}

Napi::Value TakeError(Napi::Env env, lakebase_error *err, int code) {
    if (!err)
        return NewError(env, code, lakebase_strerror(code), 0, "", "");
    Napi::Value v =
        NewError(env, lakebase_error_code(err), lakebase_error_message(err),
                 lakebase_error_http_status(err), lakebase_error_sqlstate(err),
                 lakebase_error_api_code(err));
    lakebase_error_free(err);
    return v;
}

void ThrowTaken(Napi::Env env, lakebase_error *err, int code) {
    throw Napi::Error(env, TakeError(env, err, code));
}

Napi::Value MakeError(Napi::Env env, int code, const char *message) {
    return NewError(env, code, message, 0, "", "");
}

lakebase_config *ConfigFrom(Napi::Env env, Napi::Value pairs, Napi::Value dsn) {
    lakebase_config *cfg = nullptr;
    lakebase_error *err = nullptr;
    int rc = lakebase_config_new(&cfg, &err);
    if (rc != 0)
        ThrowTaken(env, err, rc);
    // Set one key at a time, so a failure names the key that failed.
    std::string key;
    Napi::Array arr = pairs.As<Napi::Array>();
    for (uint32_t i = 0; i < arr.Length() && rc == 0; i++) {
        Napi::Array kv = arr.Get(i).As<Napi::Array>();
        key = kv.Get(0u).As<Napi::String>().Utf8Value();
        // A null value unsets the key, as in the C API.
        bool unset = kv.Get(1u).IsNull();
        std::string value =
            unset ? std::string() : kv.Get(1u).As<Napi::String>().Utf8Value();
        rc = lakebase_config_set(cfg, key.c_str(),
                                 unset ? nullptr : value.c_str(), &err);
    }
    if (rc == 0) {
        key.clear();
        if (dsn.IsString()) {
            std::string s = dsn.As<Napi::String>();
            rc = lakebase_config_set_dsn(cfg, s.c_str(), &err);
        }
    }
    if (rc != 0) {
        lakebase_config_free(cfg);
        Napi::Value e = TakeError(env, err, rc);
        if (!key.empty() && e.IsObject())
            e.As<Napi::Object>().Set("key", key);
        throw Napi::Error(env, e);
    }
    return cfg;
}

Params::Params(Napi::Env, Napi::Value values) {
    if (!values.IsArray())
        return;
    Napi::Array arr = values.As<Napi::Array>();
    uint32_t n = arr.Length();
    store.resize(n);
    ptrs.resize(n);
    // `store` is sized once, so the pointers into it stay valid.
    for (uint32_t i = 0; i < n; i++) {
        Napi::Value v = arr.Get(i);
        if (v.IsNull() || v.IsUndefined()) {
            ptrs[i] = nullptr;
            continue;
        }
        store[i] = v.As<Napi::String>().Utf8Value();
        ptrs[i] = store[i].c_str();
    }
}

Int8Mode Int8ModeFrom(Napi::Value v) {
    return v.IsNumber()
               ? static_cast<Int8Mode>(v.As<Napi::Number>().Int32Value())
               : Int8Mode::String;
}

Napi::Object CredentialStatsToJs(Napi::Env env,
                                 const lakebase_credential_stats &c) {
    auto num = [&](double v) { return Napi::Number::New(env, v); };
    Napi::Object cr = Napi::Object::New(env);
    cr.Set("mintsOk", num(static_cast<double>(c.mints_ok)));
    cr.Set("mintsFailed", num(static_cast<double>(c.mints_failed)));
    cr.Set("lastMintLatencyUs",
           num(static_cast<double>(c.last_mint_latency_us)));
    cr.Set("expireTimeMs", num(static_cast<double>(c.expire_time_unix_ms)));
    cr.Set("degradedSinceMs",
           num(static_cast<double>(c.degraded_since_unix_ms)));
    cr.Set("nextRefreshMs", num(static_cast<double>(c.next_refresh_unix_ms)));
    cr.Set("lastErrorCode", num(c.last_error_code));
    cr.Set("lastErrorName",
           c.last_error_code ? lakebase_error_name(c.last_error_code) : "");
    cr.Set("lastErrorHttpStatus", num(c.last_error_http_status));
    cr.Set("lastErrorMessage", Napi::String::New(env, c.last_error_message));
    return cr;
}

void WipeSecret(std::string &s) {
    volatile char *p = s.empty() ? nullptr : &s[0];
    for (size_t i = 0; i < s.size(); i++)
        p[i] = 0;
    s.clear();
}

Napi::Object PoolStatsToJs(Napi::Env env, const lakebase_pool_stats &s,
                           const lakebase_credential_stats &c) {
    auto num = [&](double v) { return Napi::Number::New(env, v); };
    Napi::Object o = Napi::Object::New(env);
    o.Set("total", num(s.total));
    o.Set("idle", num(s.idle));
    o.Set("inUse", num(s.in_use));
    o.Set("connecting", num(s.connecting));
    o.Set("waiting", num(s.waiting));
    o.Set("connectsOk", num(static_cast<double>(s.connects_ok)));
    o.Set("connectsFailed", num(static_cast<double>(s.connects_failed)));
    o.Set("recycled", num(static_cast<double>(s.recycled)));
    o.Set("discarded", num(static_cast<double>(s.discarded)));
    o.Set("acquires", num(static_cast<double>(s.acquires)));
    o.Set("acquireTimeouts", num(static_cast<double>(s.acquire_timeouts)));
    o.Set("trimmed", num(static_cast<double>(s.trimmed)));
    o.Set("credential", CredentialStatsToJs(env, c));
    return o;
}

// errorName(code) -> 'ECONFIG' ('EUNKNOWN' for a code the core lacks).
static Napi::Value ErrorName(const Napi::CallbackInfo &info) {
    return Napi::String::New(
        info.Env(),
        lakebase_error_name(info[0].As<Napi::Number>().Int32Value()));
}

// errorCode(name) -> the LAKEBASE_E* value, or undefined for an unknown name.
static Napi::Value ErrorCode(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    int code = 0;
    std::string name = info[0].ToString();
    if (lakebase_error_code_from_name(name.c_str(), &code) != 0)
        return env.Undefined();
    return Napi::Number::New(env, code);
}

// configKeys() -> the core's configuration keys (lakebase_config_key_at).
static Napi::Value ConfigKeys(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    Napi::Array keys = Napi::Array::New(env);
    const char *name = nullptr, *env_vars = nullptr, *doc = nullptr;
    for (size_t i = 0; lakebase_config_key_at(i, &name, &env_vars, &doc) == 0;
         i++)
        keys.Set(static_cast<uint32_t>(i), name);
    return keys;
}

static Napi::Value Init(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    auto *data = env.GetInstanceData<AddonData>();
    Napi::Object opts = info[0].As<Napi::Object>();
    data->make_error =
        Napi::Persistent(opts.Get("makeError").As<Napi::Function>());
    return env.Undefined();
}

static Napi::Object Module(Napi::Env env, Napi::Object exports) {
    auto *data = new AddonData();
    env.SetInstanceData(data);
    Napi::Object json = env.Global().Get("JSON").As<Napi::Object>();
    data->json_parse = Napi::Persistent(json.Get("parse").As<Napi::Function>());
    Napi::Function client = DefineClient(env);
    data->client_ctor = Napi::Persistent(client);
    exports.Set("init", Napi::Function::New(env, Init, "init"));
    exports.Set("Pool", DefinePool(env));
    exports.Set("Client", client);
    exports.Set("Credentials", DefineCredentials(env));
    exports.Set("PoolSet", DefinePoolSet(env));
    exports.Set("metricTable",
                Napi::Function::New(env, MetricTable, "metricTable"));
    exports.Set("spanTable", Napi::Function::New(env, SpanTable, "spanTable"));
    exports.Set("poolNameAttribute", LAKEBASE_ATTRIBUTE_POOL_NAME);
    exports.Set("errorName", Napi::Function::New(env, ErrorName, "errorName"));
    exports.Set("errorCode", Napi::Function::New(env, ErrorCode, "errorCode"));
    exports.Set("configKeys",
                Napi::Function::New(env, ConfigKeys, "configKeys"));
    exports.Set("version", Napi::String::New(env, lakebase_version()));
    return exports;
}

} // namespace lbnode

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
    return lbnode::Module(env, exports);
}

NODE_API_MODULE(lakebase, InitModule)
