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
        return DefineClass(env, "Credentials",
                           {InstanceMethod<&Credentials::Get>("get")});
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

    lakebase_credentials *creds_ = nullptr;
};

} // namespace

Napi::Function DefineCredentials(Napi::Env env) {
    return Credentials::Define(env);
}

} // namespace lbnode
