// A connection leased from a pool (pool.connect()) or a per-user pool set
// (set.connect()), for transactions. Its statements run in order through
// the owner that lent it (LeaseOwner): on the JS thread for a pool, on the
// libuv threadpool for a set (pool_set.cc); release() gives it back through
// the owner without blocking the JS thread. cancel() does not block either:
// the core sends the request from one of its worker threads.
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

    // new Client(External<lakebase_conn>, External<LeaseOwner>, pool): the
    // pool object is held so it is not collected while the lease exists.
    explicit Client(const Napi::CallbackInfo &info)
        : Napi::ObjectWrap<Client>(info) {
        conn_ = info[0].As<Napi::External<lakebase_conn>>().Data();
        owner_ = info[1].As<Napi::External<LeaseOwner>>().Data();
        pool_ = Napi::Persistent(info[2].As<Napi::Object>());
    }

    ~Client() override {
        // A lease dropped without release(): give it back (rolled back).
        // Finalizers run on the JS thread, the core's host thread.
        GiveBack();
    }

  private:
    // query(sql, params, int8) -> Promise<result>
    Napi::Value Query(const Napi::CallbackInfo &info) {
        if (!conn_)
            ThrowTaken(info.Env(), nullptr, LAKEBASE_ECLOSED);
        return owner_->QueryOn(conn_, info);
    }

    // cancel() -> Promise: asks the server to cancel the running statement,
    // which then fails with ECANCELED (unless it finished first). Settled
    // at once: the request goes out from a core worker thread.
    Napi::Value Cancel(const Napi::CallbackInfo &info) {
        Napi::Env env = info.Env();
        auto d = Napi::Promise::Deferred::New(env);
        lakebase_error *err = nullptr;
        int rc = conn_ ? lakebase_conn_cancel(conn_, &err) : LAKEBASE_ECLOSED;
        if (rc != 0)
            d.Reject(TakeError(env, err, rc));
        else
            d.Resolve(env.Undefined());
        return d.Promise();
    }

    // release(): returns the connection; never blocks.
    Napi::Value Release(const Napi::CallbackInfo &info) {
        GiveBack();
        return info.Env().Undefined();
    }

    void GiveBack() {
        if (!conn_)
            return;
        lakebase_conn *conn = conn_;
        conn_ = nullptr;
        owner_->Release(conn);
    }

    lakebase_conn *conn_ = nullptr;
    LeaseOwner *owner_ = nullptr;
    Napi::ObjectReference pool_;
};

} // namespace

Napi::Function DefineClient(Napi::Env env) { return Client::Define(env); }

} // namespace lbnode
