// A connection leased from the pool, for transactions (pool.connect()).
// The core's leased-connection calls block, so each runs on the libuv
// threadpool: one hop per statement, the documented price of a lease
// (pool.query() never pays it). lib/pool.js runs one statement at a time.
#include <memory>

#include "addon.h"

namespace lbnode {

namespace {

class Client : public Napi::ObjectWrap<Client> {
  public:
    static Napi::Function Define(Napi::Env env) {
        return DefineClass(env, "Client",
                           {InstanceMethod<&Client::Query>("query"),
                            InstanceMethod<&Client::Release>("release"),
                            InstanceMethod<&Client::Cancel>("cancel")});
    }

    // new Client(External<lakebase_conn>, pool): the pool object is held so
    // it is not collected while the lease exists.
    explicit Client(const Napi::CallbackInfo &info)
        : Napi::ObjectWrap<Client>(info) {
        conn_ = info[0].As<Napi::External<lakebase_conn>>().Data();
        pool_ = Napi::Persistent(info[1].As<Napi::Object>());
    }

    ~Client() override {
        // A lease dropped without release(): give it back (rolled back).
        lakebase_conn_release(conn_);
    }

  private:
    Napi::Value Query(const Napi::CallbackInfo &info) {
        Napi::Env env = info.Env();
        if (!conn_)
            ThrowTaken(env, nullptr, LAKEBASE_ECLOSED);
        auto sql = std::make_shared<std::string>(info[0].As<Napi::String>());
        auto params = std::make_shared<Params>(env, info[1]);
        auto res = std::make_shared<lakebase_result *>(nullptr);
        Int8Mode mode = Int8ModeFrom(info[2]);
        lakebase_conn *conn = conn_;
        Napi::Object self = Value();
        auto keep =
            std::make_shared<Napi::ObjectReference>(Napi::Persistent(self));
        return Task::Run(
            env, "lakebase.client.query",
            [conn, sql, params, res](lakebase_error **err) {
                return lakebase_conn_query(conn, sql->c_str(), params->count(),
                                           params->data(), res.get(), err);
            },
            [res, mode, keep](Napi::Env e) -> Napi::Value {
                Napi::Value v = ResultToJs(e, *res, mode);
                lakebase_result_free(*res);
                *res = nullptr;
                return v;
            });
    }

    // cancel() -> Promise: asks the server to cancel the running statement
    // (a network round trip, so on the threadpool).
    Napi::Value Cancel(const Napi::CallbackInfo &info) {
        lakebase_conn *conn = conn_;
        if (!conn)
            ThrowTaken(info.Env(), nullptr, LAKEBASE_ECLOSED);
        Napi::Object self = Value();
        auto keep =
            std::make_shared<Napi::ObjectReference>(Napi::Persistent(self));
        return Task::Run(
            info.Env(), "lakebase.client.cancel",
            [conn](lakebase_error **err) {
                return lakebase_conn_cancel(conn, err);
            },
            [keep](Napi::Env env) -> Napi::Value { return env.Undefined(); });
    }

    // release() -> Promise: returns the connection (a rollback may block).
    Napi::Value Release(const Napi::CallbackInfo &info) {
        lakebase_conn *conn = conn_;
        conn_ = nullptr;
        if (!conn) {
            auto d = Napi::Promise::Deferred::New(info.Env());
            d.Resolve(info.Env().Undefined());
            return d.Promise();
        }
        return Task::Run(
            info.Env(), "lakebase.client.release",
            [conn](lakebase_error **) {
                lakebase_conn_release(conn);
                return 0;
            },
            nullptr);
    }

    lakebase_conn *conn_ = nullptr;
    Napi::ObjectReference pool_;
};

} // namespace

Napi::Function DefineClient(Napi::Env env) { return Client::Define(env); }

} // namespace lbnode
