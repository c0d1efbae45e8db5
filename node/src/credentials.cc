// The shared credential provider, for the node-postgres adapter (pg.js).
// lakebase_credentials_get serves the cache without blocking almost always,
// but may mint over HTTPS, so it runs on the threadpool: once per new
// connection of a pg.Pool, never per query.
#include <memory>

#include "addon.h"

namespace lbnode {

namespace {

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

    // new Credentials(pairs, dsn)
    explicit Credentials(const Napi::CallbackInfo &info)
        : Napi::ObjectWrap<Credentials>(info) {
        Napi::Env env = info.Env();
        lakebase_config *cfg = ConfigFrom(env, info[0], info[1]);
        lakebase_error *err = nullptr;
        int rc = lakebase_credentials_new(&creds_, cfg, &err);
        lakebase_config_free(cfg);
        if (rc != 0)
            ThrowTaken(env, err, rc);
    }

    ~Credentials() override { lakebase_credentials_free(creds_); }

  private:
    // get() -> Promise<{ token, user, host, port, database, sslmode,
    // expireTimeMs }>
    Napi::Value Get(const Napi::CallbackInfo &info) {
        lakebase_credentials *creds = creds_;
        auto cred = std::shared_ptr<lakebase_credential *>(
            new lakebase_credential *(nullptr), [](lakebase_credential **p) {
                lakebase_credential_free(*p); // zeroes the token
                delete p;
            });
        Napi::Object self = Value();
        auto keep =
            std::make_shared<Napi::ObjectReference>(Napi::Persistent(self));
        return Task::Run(
            info.Env(), "lakebase.credentials.get",
            [creds, cred](lakebase_error **err) {
                return lakebase_credentials_get(creds, cred.get(), err);
            },
            [cred, keep](Napi::Env env) -> Napi::Value {
                const lakebase_credential *c = *cred;
                Napi::Object o = Napi::Object::New(env);
                o.Set("token", lakebase_credential_token(c));
                o.Set("user", lakebase_credential_user(c));
                o.Set("host", lakebase_credential_host(c));
                o.Set("port", lakebase_credential_port(c));
                o.Set("database", lakebase_credential_database(c));
                o.Set("sslmode", lakebase_credential_sslmode(c));
                o.Set(
                    "expireTimeMs",
                    static_cast<double>(lakebase_credential_expire_time_ms(c)));
                return o;
            });
    }

    // open() -> Promise: the first mint now (may block: threadpool).
    Napi::Value Open(const Napi::CallbackInfo &info) {
        lakebase_credentials *creds = creds_;
        Napi::Object self = Value();
        auto keep =
            std::make_shared<Napi::ObjectReference>(Napi::Persistent(self));
        return Task::Run(
            info.Env(), "lakebase.credentials.open",
            [creds](lakebase_error **err) {
                return lakebase_credentials_open(creds, err);
            },
            [keep](Napi::Env env) -> Napi::Value { return env.Undefined(); });
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
            creds_, has ? token.c_str() : nullptr, &err);
        if (rc != 0)
            ThrowTaken(env, err, rc);
        return env.Undefined();
    }

    Napi::Value Stats(const Napi::CallbackInfo &info) {
        Napi::Env env = info.Env();
        lakebase_credential_stats s{};
        s.version = LAKEBASE_CREDENTIAL_STATS_VERSION;
        lakebase_error *err = nullptr;
        int rc = lakebase_credentials_stats(creds_, &s, &err);
        if (rc != 0)
            ThrowTaken(env, err, rc);
        return CredentialStatsToJs(env, s);
    }

    // free(): drops this handle now rather than at garbage collection.
    Napi::Value Free(const Napi::CallbackInfo &info) {
        lakebase_credentials_free(creds_);
        creds_ = nullptr;
        return info.Env().Undefined();
    }

    lakebase_credentials *creds_ = nullptr;
};

} // namespace

Napi::Function DefineCredentials(Napi::Env env) {
    return Credentials::Define(env);
}

} // namespace lbnode
