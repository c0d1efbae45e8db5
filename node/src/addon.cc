// Module entry: the exported classes, init() receiving the JS error factory,
// the error bridge and the small helpers shared by the wrapped objects.
#include "addon.h"

namespace lbnode {

Napi::Value TakeError(Napi::Env env, lakebase_error *err, int code) {
    int c = err ? lakebase_error_code(err) : code;
    const char *msg =
        err ? lakebase_error_message(err) : lakebase_strerror(code);
    int http = err ? lakebase_error_http_status(err) : 0;
    const char *sqlstate = err ? lakebase_error_sqlstate(err) : "";
    const char *api = err ? lakebase_error_api_code(err) : "";
    auto *data = env.GetInstanceData<AddonData>();
    Napi::Value v;
    if (data && !data->make_error.IsEmpty()) {
        v = data->make_error.Call(
            {Napi::Number::New(env, c), Napi::String::New(env, msg),
             Napi::Number::New(env, http),
             Napi::String::New(env, sqlstate ? sqlstate : ""),
             Napi::String::New(env, api ? api : "")});
    } else {
        v = Napi::Error::New(env, msg).Value();
    }
    lakebase_error_free(err);
    return v;
}

void ThrowTaken(Napi::Env env, lakebase_error *err, int code) {
    throw Napi::Error(env, TakeError(env, err, code));
}

lakebase_config *ConfigFrom(Napi::Env env, Napi::Value pairs, Napi::Value dsn) {
    lakebase_config *cfg = nullptr;
    lakebase_error *err = nullptr;
    int rc = lakebase_config_new(&cfg, &err);
    if (rc != 0)
        ThrowTaken(env, err, rc);
    Napi::Array arr = pairs.As<Napi::Array>();
    for (uint32_t i = 0; i < arr.Length() && rc == 0; i++) {
        Napi::Array kv = arr.Get(i).As<Napi::Array>();
        std::string key = kv.Get(0u).As<Napi::String>();
        // A null value unsets the key, as in the C API.
        bool unset = kv.Get(1u).IsNull();
        std::string value =
            unset ? std::string() : kv.Get(1u).As<Napi::String>().Utf8Value();
        rc = lakebase_config_set(cfg, key.c_str(),
                                 unset ? nullptr : value.c_str(), &err);
    }
    if (rc == 0 && dsn.IsString()) {
        std::string s = dsn.As<Napi::String>();
        rc = lakebase_config_set_dsn(cfg, s.c_str(), &err);
    }
    if (rc != 0) {
        lakebase_config_free(cfg);
        ThrowTaken(env, err, rc);
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
    cr.Set("lastErrorHttpStatus", num(c.last_error_http_status));
    cr.Set("lastErrorMessage", Napi::String::New(env, c.last_error_message));
    return cr;
}

Napi::Promise Task::Run(Napi::Env env, const char *name, Work work, Done done) {
    auto *t = new Task(env, name, std::move(work), std::move(done));
    Napi::Promise p = t->deferred_.Promise();
    t->Queue();
    return p;
}

Task::Task(Napi::Env env, const char *name, Work work, Done done)
    : Napi::AsyncWorker(env, name),
      deferred_(Napi::Promise::Deferred::New(env)), work_(std::move(work)),
      done_(std::move(done)) {}

void Task::Execute() { rc_ = work_(&err_); }

void Task::OnOK() {
    Napi::Env env = Env();
    if (rc_ != 0) {
        deferred_.Reject(TakeError(env, err_, rc_));
        return;
    }
    try {
        deferred_.Resolve(done_ ? done_(env) : env.Undefined());
    } catch (const Napi::Error &e) {
        deferred_.Reject(e.Value());
    }
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
    exports.Set("version", Napi::String::New(env, lakebase_version()));
    return exports;
}

} // namespace lbnode

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
    return lbnode::Module(env, exports);
}

NODE_API_MODULE(lakebase, InitModule)
