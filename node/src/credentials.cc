// The shared credential provider, for the node-postgres adapter (pg.js).
// get() and open() never block and never use the libuv threadpool
// (lakebase_credentials_get_async): a cached credential settles the promise
// at once; when one must be minted, the core mints on one of its worker
// threads and the result comes back to the JS thread through a thread-safe
// function made for that mint alone (once per token lifetime, not per
// connection).
#include <atomic>

#include "addon.h"

namespace lbnode {

namespace {

class Credentials;

// { token, user, host, port, database, sslmode, expireTimeMs }
Napi::Object CredentialToJs(Napi::Env env, const lakebase_credential *c) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("token", lakebase_credential_token(c));
    o.Set("user", lakebase_credential_user(c));
    o.Set("host", lakebase_credential_host(c));
    o.Set("port", lakebase_credential_port(c));
    o.Set("database", lakebase_credential_database(c));
    o.Set("sslmode", lakebase_credential_sslmode(c));
    o.Set("expireTimeMs",
          static_cast<double>(lakebase_credential_expire_time_ms(c)));
    return o;
}

// One get() or open() waiting for a mint. The worker thread that finishes
// the mint and the JS thread that arms the thread-safe function after
// lakebase_credentials_get_async returned race for `state`: whoever comes
// second settles (the worker through the thread-safe function, or the JS
// thread directly when the mint finished before it was armed).
struct MintRequest;
void SettleOnJsThread(Napi::Env env, Napi::Function, std::nullptr_t *,
                      MintRequest *rq);
using MintDone = Napi::TypedThreadSafeFunction<std::nullptr_t, MintRequest,
                                               SettleOnJsThread>;

struct MintRequest {
    enum State { Waiting, Armed, Minted };
    Credentials *owner;
    Napi::Promise::Deferred deferred;
    Napi::ObjectReference keep; // the JS object, alive until `done` has run
    bool want_credential;       // get() rather than open()
    MintDone tsfn;
    lakebase_credential *cred = nullptr;
    lakebase_error *err = nullptr;
    std::atomic<int> state{Waiting};
};

class Credentials : public Napi::ObjectWrap<Credentials> {
  public:
    static Napi::Function Define(Napi::Env env) {
        return DefineClass(
            env, "Credentials",
            {InstanceMethod<&Credentials::Get>("get"),
             InstanceMethod<&Credentials::Open>("open"),
             InstanceMethod<&Credentials::Invalidate>("invalidate"),
             InstanceMethod<&Credentials::Stats>("stats"),
             InstanceMethod<&Credentials::Free>("free")});
    }

    // new Credentials(pairs, dsn, tokenSource | undefined, onSpan | undefined)
    explicit Credentials(const Napi::CallbackInfo &info)
        : Napi::ObjectWrap<Credentials>(info) {
        Napi::Env env = info.Env();
        lakebase_config *cfg = ConfigFrom(env, info[0], info[1]);
        try {
            if (info[2].IsFunction())
                SetTokenSource(env, cfg, info[2].As<Napi::Function>());
            spans_.Install(env, cfg, info[3]);
        } catch (...) {
            lakebase_config_free(cfg);
            throw;
        }
        lakebase_error *err = nullptr;
        int rc = lakebase_credentials_new(&creds_, cfg, &err);
        lakebase_config_free(cfg);
        if (rc != 0)
            ThrowTaken(env, err, rc);
    }

    ~Credentials() override { lakebase_credentials_free(creds_); }

    // On the JS thread, once the mint of `rq` is done.
    void Settle(Napi::Env env, MintRequest *rq) {
        Napi::HandleScope hs(env);
        if (rq->err)
            rq->deferred.Reject(TakeError(env, rq->err, LAKEBASE_EINTERNAL));
        else
            rq->deferred.Resolve(
                rq->want_credential ? Napi::Value(CredentialToJs(env, rq->cred))
                                    : env.Undefined());
        lakebase_credential_free(rq->cred); // zeroes the token
        minting_--;
        FreeIfDone();
        delete rq; // drops `keep`: the object may be collected from now on
    }

  private:
    // The handle, or NULL once free() was called (calls then fail with
    // EHANDLE, as on a freed handle).
    lakebase_credentials *Handle() const { return freed_ ? nullptr : creds_; }

    // get() -> Promise<{ token, user, host, port, database, sslmode,
    // expireTimeMs }>
    Napi::Value Get(const Napi::CallbackInfo &info) {
        return Fetch(info.Env(), true);
    }

    // open() -> Promise: the first mint now; fails fast on a wrong identity
    // or endpoint.
    Napi::Value Open(const Napi::CallbackInfo &info) {
        return Fetch(info.Env(), false);
    }

    Napi::Value Fetch(Napi::Env env, bool want_credential) {
        auto d = Napi::Promise::Deferred::New(env);
        auto *rq = new MintRequest{this, d, Napi::Persistent(Value()),
                                   want_credential, MintDone()};
        lakebase_credential *now = nullptr;
        lakebase_error *err = nullptr;
        int rc =
            lakebase_credentials_get_async(Handle(), &now, OnMinted, rq, &err);
        if (rc != 1) { // settled now: cached, or refused
            delete rq;
            if (rc != 0)
                d.Reject(TakeError(env, err, rc));
            else
                d.Resolve(want_credential
                              ? Napi::Value(CredentialToJs(env, now))
                              : env.Undefined());
            lakebase_credential_free(now);
            return d.Promise();
        }
        minting_++;
        // A mint quicker than this thread needs no thread-safe function.
        if (rq->state.load() != MintRequest::Minted) {
            rq->tsfn = MintDone::New(env, "lakebase.credentials.mint", 0, 1);
            if (rq->state.exchange(MintRequest::Armed) == MintRequest::Waiting)
                return d.Promise(); // OnMinted calls back through it
            rq->tsfn.Release();
        }
        Settle(env, rq);
        return d.Promise();
    }

    // lakebase_credentials_get_async's completion, on a core worker thread.
    static void OnMinted(void *ud, lakebase_credential *cred,
                         lakebase_error *err) {
        auto *rq = static_cast<MintRequest *>(ud);
        rq->cred = cred;
        rq->err = err;
        if (rq->state.exchange(MintRequest::Minted) != MintRequest::Armed)
            return;               // the JS thread has not armed yet: it settles
        MintDone tsfn = rq->tsfn; // `rq` may be gone once the call is queued
        if (tsfn.BlockingCall(rq) != napi_ok) {
            // The environment is going away: nothing can settle it, and its
            // JS references cannot be dropped from this thread.
            lakebase_credential_free(cred);
            lakebase_error_free(err);
        }
        tsfn.Release();
    }

    // invalidate(token?): token null/undefined drops whatever is cached.
    Napi::Value Invalidate(const Napi::CallbackInfo &info) {
        Napi::Env env = info.Env();
        std::string token;
        bool has = info.Length() > 0 && info[0].IsString();
        if (has)
            token = info[0].As<Napi::String>().Utf8Value();
        lakebase_error *err = nullptr;
        int rc = lakebase_credentials_invalidate(
            Handle(), has ? token.c_str() : nullptr, &err);
        if (rc != 0)
            ThrowTaken(env, err, rc);
        return env.Undefined();
    }

    Napi::Value Stats(const Napi::CallbackInfo &info) {
        Napi::Env env = info.Env();
        lakebase_credential_stats s{};
        lakebase_credential_stats_init(&s, LAKEBASE_CREDENTIAL_STATS_VERSION);
        lakebase_error *err = nullptr;
        int rc = lakebase_credentials_stats(Handle(), &s, &err);
        if (rc != 0)
            ThrowTaken(env, err, rc);
        return CredentialStatsToJs(env, s);
    }

    // free(): drops this handle now rather than at garbage collection (once
    // the mints under way are done: the core needs the handle until then).
    Napi::Value Free(const Napi::CallbackInfo &info) {
        freed_ = true;
        FreeIfDone();
        return info.Env().Undefined();
    }

    void FreeIfDone() {
        if (!freed_ || minting_ > 0)
            return;
        lakebase_credentials_free(creds_);
        creds_ = nullptr;
        spans_.Close();
    }

    SpanListener spans_; // closed once the handle is freed
    lakebase_credentials *creds_ = nullptr;
    int minting_ = 0; // get_async calls whose `done` has not settled yet
    bool freed_ = false;
};

void SettleOnJsThread(Napi::Env env, Napi::Function, std::nullptr_t *,
                      MintRequest *rq) {
    if (env == nullptr) { // torn down before the call ran
        lakebase_credential_free(rq->cred);
        lakebase_error_free(rq->err);
        return;
    }
    rq->owner->Settle(env, rq);
}

} // namespace

Napi::Function DefineCredentials(Napi::Env env) {
    return Credentials::Define(env);
}

} // namespace lbnode
