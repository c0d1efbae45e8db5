// The per-user pool set (lakebase_user_pools_*): one pool per identity, each
// minting with that identity's forwarded workspace token and logging in as
// its own role; the core bounds the pools, evicts idle ones and counts per
// set. An acquire (set.connect(), and the one inside set.query()) never holds
// a thread while it waits: lakebase_user_pools_acquire_async either leases at
// once or calls back later on a C thread (the one releasing a connection, or
// the library's background thread), and the lease comes back to the JS thread
// through a thread-safe function (LeaseChannel), referenced only while an
// acquire waits so an idle set never keeps the process alive. A lease that
// arrives once its JS side has given up (close() began, the set freed, the
// environment torn down) is released, never leaked. close() ends the
// acquires still waiting at once (lakebase_user_pools_close: ECLOSED), without
// waiting on the network. The short calls that may still block on the
// server — a statement and a release on the set's connections, and freeing
// the set — run on the libuv threadpool (Napi::AsyncWorker) and settle their
// promise on the JS thread, which never blocks. A lease's calls run one at a
// time, in order (its lane).
#include <deque>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "addon.h"

namespace lbnode {

namespace {

class PoolSet;

// A statement's result, freed however the call ends.
struct ResultBox {
    lakebase_result *res = nullptr;
    ~ResultBox() { lakebase_result_free(res); }
};

// A workspace token, zeroed however the call ends.
struct TokenBox {
    std::string token;
    bool given = false;
    ~TokenBox() { WipeSecret(token); }
    const char *get() const { return given ? token.c_str() : nullptr; }
};

struct LeaseChannel;

// An acquire that waits: what its lease does once it reaches the JS thread
// (`granted`: resolve a Client, or run the statement).
struct LeaseRequest {
    using Granted = std::function<void(Napi::Env, Napi::Promise::Deferred,
                                       lakebase_conn *)>;
    std::shared_ptr<LeaseChannel> channel;
    Napi::Promise::Deferred deferred;
    Granted granted;
    lakebase_conn *conn = nullptr; // exactly one of conn and err, once done
    lakebase_error *err = nullptr;
};

// Releases the leases nobody will take and frees their errors (any thread).
void Abandon(std::vector<LeaseRequest *> &requests) {
    for (LeaseRequest *rq : requests) {
        if (rq->conn)
            lakebase_conn_release(rq->conn);
        lakebase_error_free(rq->err);
        delete rq;
    }
    requests.clear();
}

void DeliverLeases(Napi::Env env, Napi::Function, LeaseChannel *channel,
                   std::nullptr_t *);
using LeaseTsfn =
    Napi::TypedThreadSafeFunction<LeaseChannel, std::nullptr_t, DeliverLeases>;

// Where the core's acquire callbacks leave their requests for the JS thread,
// shared by the set, the requests and the thread-safe function's finalizer.
// A callback never waits on the JS thread (a non-blocking call on a queue
// without bound). Once shut (the set freed or the environment torn down)
// nothing more is queued: the requests waiting here and those completing
// later are abandoned.
struct LeaseChannel {
    std::mutex mu;
    bool open = true;
    std::vector<LeaseRequest *> arrived;
    LeaseTsfn tsfn;
    PoolSet *owner = nullptr; // read and cleared on the JS thread only

    // Stops the channel (releasing the thread-safe function when `release`)
    // and abandons the requests that had arrived.
    void Shut(bool release) {
        std::vector<LeaseRequest *> left;
        {
            std::lock_guard<std::mutex> lk(mu);
            if (open && release)
                tsfn.Release();
            open = false;
            left.swap(arrived);
        }
        Abandon(left);
    }
};

// The core's lakebase_lease_fn for a waiting acquire, on a C thread.
void OnLease(void *ud, lakebase_conn *conn, lakebase_error *err) {
    auto *rq = static_cast<LeaseRequest *>(ud);
    rq->conn = conn;
    rq->err = err;
    std::shared_ptr<LeaseChannel> channel = rq->channel;
    {
        std::lock_guard<std::mutex> lk(channel->mu);
        if (channel->open) {
            channel->arrived.push_back(rq);
            // Fails only while the environment goes away; the function's
            // finalizer then abandons what arrived.
            channel->tsfn.NonBlockingCall();
            return;
        }
    }
    std::vector<LeaseRequest *> gone{rq};
    Abandon(gone);
}

// One blocking call of the core on the libuv threadpool: `run` there,
// `settle` (the promise's value once `run` returned 0) on the JS thread.
class Work : public Napi::AsyncWorker {
  public:
    using Run = std::function<int(lakebase_error **)>;
    using Settle = std::function<Napi::Value(Napi::Env)>;

    Work(Napi::Env env, PoolSet *owner, lakebase_conn *lane, Run run,
         Settle settle)
        : Work(env, owner, lane, Napi::Promise::Deferred::New(env),
               std::move(run), std::move(settle)) {}
    // Settles `deferred`, a promise made earlier (a statement after its
    // acquire).
    Work(Napi::Env env, PoolSet *owner, lakebase_conn *lane,
         Napi::Promise::Deferred deferred, Run run, Settle settle)
        : Napi::AsyncWorker(env, "lakebase.poolSet"), owner_(owner),
          lane_(lane), deferred_(deferred), run_(std::move(run)),
          settle_(std::move(settle)) {}

    Napi::Promise Promise() const { return deferred_.Promise(); }
    lakebase_conn *Lane() const { return lane_; }

  protected:
    void Execute() override { rc_ = run_(&err_); }
    void OnOK() override;

  private:
    PoolSet *owner_;
    lakebase_conn *lane_; // the lease it runs on, or NULL
    Napi::Promise::Deferred deferred_;
    Run run_;
    Settle settle_;
    int rc_ = 0;
    lakebase_error *err_ = nullptr;
};

class PoolSet : public Napi::ObjectWrap<PoolSet>, public LeaseOwner {
  public:
    static Napi::Function Define(Napi::Env env) {
        return DefineClass(env, "PoolSet",
                           {InstanceMethod<&PoolSet::Query>("query"),
                            InstanceMethod<&PoolSet::Acquire>("acquire"),
                            InstanceMethod<&PoolSet::Stats>("stats"),
                            InstanceMethod<&PoolSet::Metrics>("metrics"),
                            InstanceMethod<&PoolSet::Close>("close")});
    }

    // new PoolSet(pairs, dsn, maxPools, idleEvictSeconds, onSpan)
    explicit PoolSet(const Napi::CallbackInfo &info)
        : Napi::ObjectWrap<PoolSet>(info) {
        Napi::Env env = info.Env();
        lakebase_config *cfg = ConfigFrom(env, info[0], info[1]);
        try {
            spans_.Install(env, cfg, info[4]);
        } catch (...) {
            lakebase_config_free(cfg);
            throw;
        }
        lakebase_error *err = nullptr;
        int rc = lakebase_user_pools_new(
            &set_, cfg, info[2].As<Napi::Number>().Int32Value(),
            info[3].As<Napi::Number>().Int32Value(), &err);
        lakebase_config_free(cfg);
        if (rc != 0)
            ThrowTaken(env, err, rc);
        OpenChannel(env);
    }

    // Collected with no call in flight (each holds a reference) and no
    // lease (a Client holds one), or with the environment torn down: the
    // leases that arrive from now on are released, then nothing blocks for
    // long here.
    ~PoolSet() override {
        channel_->owner = nullptr;
        channel_->Shut(true);
        lakebase_user_pools_free(set_);
    }

    // A waiting acquire has ended, on the JS thread: its lease is granted,
    // or its error rejects.
    void Leased(Napi::Env env, LeaseRequest *rq) {
        std::unique_ptr<LeaseRequest> owned(rq);
        if (--waiting_ == 0)
            channel_->tsfn.Unref(env);
        if (rq->conn)
            rq->granted(env, rq->deferred, rq->conn);
        else
            rq->deferred.Reject(TakeError(env, rq->err, LAKEBASE_EINTERNAL));
        Settled();
    }

    // A call has settled on the JS thread: the next one of its lane starts.
    void Finished(Work *w) {
        if (lakebase_conn *conn = w->Lane()) {
            std::deque<Work *> &queued = lanes_[conn];
            if (queued.empty()) {
                lanes_.erase(conn);
            } else {
                Work *next = queued.front();
                queued.pop_front();
                next->Queue();
            }
        }
        Settled();
    }

  private:
    // The channel waiting acquires complete through; its thread-safe
    // function keeps the event loop alive only while one waits.
    void OpenChannel(Napi::Env env) {
        auto channel = std::make_shared<LeaseChannel>();
        channel->owner = this;
        channel->tsfn = LeaseTsfn::New(
            env, "lakebase.poolSet.acquire", 0, 1, channel.get(),
            [](Napi::Env, std::shared_ptr<LeaseChannel> *keep, LeaseChannel *) {
                (*keep)->Shut(false);
                delete keep;
            },
            new std::shared_ptr<LeaseChannel>(channel));
        channel->tsfn.Unref(env);
        channel_ = channel;
    }

    // One call of those counted in busy_ has settled.
    void Settled() {
        busy_--;
        if (closing_ && busy_ == 0 && !freeing_)
            Free();
        Unref();
    }

    // Starts `w` now, or after the calls queued on its lease.
    Napi::Promise Start(Work *w) {
        busy_++;
        Ref(); // the JS object outlives every call in flight
        Napi::Promise p = w->Promise();
        lakebase_conn *conn = w->Lane();
        if (!conn) {
            w->Queue();
            return p;
        }
        auto it = lanes_.find(conn);
        if (it != lanes_.end()) {
            it->second.push_back(w);
        } else {
            lanes_[conn];
            w->Queue();
        }
        return p;
    }

    Napi::Value Refused(Napi::Env env) {
        auto d = Napi::Promise::Deferred::New(env);
        d.Reject(MakeError(env, LAKEBASE_ECLOSED, "the pool set is closed"));
        return d.Promise();
    }

    static std::shared_ptr<TokenBox> TokenFrom(Napi::Value v) {
        auto box = std::make_shared<TokenBox>();
        if (v.IsString()) {
            box->token = v.As<Napi::String>().Utf8Value();
            box->given = !box->token.empty();
        }
        return box;
    }

    // Leases a connection of the identity key=info[0] (token info[1]) at
    // once, or once one frees up without holding a thread meanwhile;
    // `granted` takes it on the JS thread and settles the promise.
    Napi::Value Lease(const Napi::CallbackInfo &info,
                      LeaseRequest::Granted granted) {
        Napi::Env env = info.Env();
        std::string key = info[0].As<Napi::String>();
        auto token = TokenFrom(info[1]);
        auto deferred = Napi::Promise::Deferred::New(env);
        auto rq = std::unique_ptr<LeaseRequest>(
            new LeaseRequest{channel_, deferred, std::move(granted)});
        lakebase_conn *now = nullptr;
        uint64_t ticket = 0;
        lakebase_error *err = nullptr;
        int rc = lakebase_user_pools_acquire_async(
            set_, key.c_str(), token->get(), -1, OnLease, rq.get(), &now,
            &ticket, &err);
        if (rc == 1) { // OnLease has it: Leased() settles it
            rq.release();
            busy_++;
            Ref();
            if (waiting_++ == 0)
                channel_->tsfn.Ref(env);
        } else if (rc == 0) {
            rq->granted(env, deferred, now);
        } else {
            deferred.Reject(TakeError(env, err, rc));
        }
        return deferred.Promise();
    }

    // query(key, token | null, sql, params, int8) -> Promise<result>: a
    // lease, then the statement and the release on the threadpool.
    Napi::Value Query(const Napi::CallbackInfo &info) {
        Napi::Env env = info.Env();
        if (closing_)
            return Refused(env);
        std::string sql = info[2].As<Napi::String>();
        auto params = std::make_shared<Params>(env, info[3]);
        Int8Mode mode = Int8ModeFrom(info[4]);
        return Lease(info, [this, sql, params, mode](Napi::Env e,
                                                     Napi::Promise::Deferred d,
                                                     lakebase_conn *conn) {
            auto box = std::make_shared<ResultBox>();
            Start(new Work(
                e, this, nullptr, d,
                [=](lakebase_error **err) {
                    int rc =
                        lakebase_conn_query(conn, sql.c_str(), params->count(),
                                            params->data(), &box->res, err);
                    lakebase_conn_release(conn);
                    return rc;
                },
                [=](Napi::Env e2) { return ResultToJs(e2, box->res, mode); }));
        });
    }

    // acquire(key, token | null) -> Promise<Client>, for transactions.
    Napi::Value Acquire(const Napi::CallbackInfo &info) {
        Napi::Env env = info.Env();
        if (closing_)
            return Refused(env);
        return Lease(info, [this](Napi::Env e, Napi::Promise::Deferred d,
                                  lakebase_conn *conn) {
            leases_++;
            if (closing_) { // close() began while the lease was on its way
                Release(conn);
                d.Reject(
                    MakeError(e, LAKEBASE_ECLOSED, "the pool set is closed"));
                return;
            }
            try {
                d.Resolve(e.GetInstanceData<AddonData>()->client_ctor.New(
                    {Napi::External<lakebase_conn>::New(e, conn),
                     Napi::External<LeaseOwner>::New(e, this), Value()}));
            } catch (const Napi::Error &thrown) { // given back, never leaked
                Release(conn);
                d.Reject(thrown.Value());
            }
        });
    }

    // A lease's statement, after those queued on it before.
    Napi::Value QueryOn(lakebase_conn *conn,
                        const Napi::CallbackInfo &info) override {
        Napi::Env env = info.Env();
        std::string sql = info[0].As<Napi::String>();
        auto params = std::make_shared<Params>(env, info[1]);
        Int8Mode mode = Int8ModeFrom(info[2]);
        auto box = std::make_shared<ResultBox>();
        return Start(new Work(
            env, this, conn,
            [=](lakebase_error **err) {
                return lakebase_conn_query(conn, sql.c_str(), params->count(),
                                           params->data(), &box->res, err);
            },
            [=](Napi::Env e) { return ResultToJs(e, box->res, mode); }));
    }

    // The lease goes back once its queued statements have run (an open
    // transaction is rolled back, which may block: on the threadpool).
    void Release(lakebase_conn *conn) override {
        Work *w = nullptr;
        try {
            w = new Work(
                Env(), this, conn,
                [conn](lakebase_error **) {
                    lakebase_conn_release(conn);
                    return 0;
                },
                [this](Napi::Env e) {
                    leases_--;
                    return e.Undefined();
                });
        } catch (const Napi::Error &) {
            // No more threadpool work: the environment is being torn down
            // (a Client finalized with it). Given back here, on the JS
            // thread, unless a statement still runs on it.
            if (lanes_.count(conn) == 0) {
                leases_--;
                lakebase_conn_release(conn);
            }
            return;
        }
        Start(w);
    }

    // Closes every pool once the calls in flight have settled; every
    // Client must have been released.
    void Free() {
        if (leases_ > 0) {
            Napi::Value e = MakeError(
                Env(), LAKEBASE_EINVAL,
                "a client of the pool set was never released: call "
                "client.release() on every client from set.connect() before "
                "set.end()");
            for (auto &d : close_waiters_)
                d.Reject(e);
            close_waiters_.clear();
            closing_ = false;
            return;
        }
        // The last counters, for stats() from now on (never blocks).
        lakebase_error *err = nullptr;
        InitSetStats(&final_);
        if (lakebase_user_pools_get_stats(set_, &final_, &err) != 0) {
            lakebase_error_free(err);
            InitSetStats(&final_);
        }
        freeing_ = true;
        lakebase_user_pools *set = set_;
        Start(new Work(
            Env(), this, nullptr,
            [set](lakebase_error **) {
                lakebase_user_pools_free(set);
                return 0;
            },
            [this](Napi::Env e) {
                set_ = nullptr;
                channel_->Shut(true);
                spans_.Close();
                for (auto &d : close_waiters_)
                    d.Resolve(e.Undefined());
                close_waiters_.clear();
                return e.Undefined();
            }));
    }

    // close() -> Promise, resolved once the calls in flight have settled
    // and every pool of the set is closed.
    Napi::Value Close(const Napi::CallbackInfo &info) {
        Napi::Env env = info.Env();
        auto d = Napi::Promise::Deferred::New(env);
        if (!set_) {
            d.Resolve(env.Undefined());
            return d.Promise();
        }
        close_waiters_.push_back(d);
        if (!closing_) {
            closing_ = true;
            // The acquires still waiting end now with ECLOSED: their
            // callbacks only queue on the channel, so this never waits long.
            lakebase_error *err = nullptr;
            if (lakebase_user_pools_close(set_, &err) != 0)
                lakebase_error_free(err); // EHANDLE only: set_ is valid
            if (busy_ == 0)
                Free();
        }
        return d.Promise();
    }

    // The set's counters: live, or the last ones once it is closed.
    const lakebase_user_pools_stats *Counters(Napi::Env env,
                                              lakebase_user_pools_stats *live) {
        if (!set_ || freeing_)
            return &final_;
        InitSetStats(live);
        lakebase_error *err = nullptr;
        int rc = lakebase_user_pools_get_stats(set_, live, &err);
        if (rc != 0)
            ThrowTaken(env, err, rc);
        return live;
    }

    // stats() -> { pools, poolsCreated, evictedIdle, evictedFull, rejected,
    // pool: the pools' counters summed, with their providers' in credential }
    Napi::Value Stats(const Napi::CallbackInfo &info) {
        Napi::Env env = info.Env();
        lakebase_user_pools_stats live;
        const lakebase_user_pools_stats *s = Counters(env, &live);
        auto num = [&](double v) { return Napi::Number::New(env, v); };
        Napi::Object o = Napi::Object::New(env);
        o.Set("pools", num(s->pools));
        o.Set("poolsCreated", num(static_cast<double>(s->pools_created)));
        o.Set("evictedIdle", num(static_cast<double>(s->evicted_idle)));
        o.Set("evictedFull", num(static_cast<double>(s->evicted_full)));
        o.Set("rejected", num(static_cast<double>(s->rejected)));
        o.Set("pool", PoolStatsToJs(env, s->pool, s->credential));
        return o;
    }

    // metrics(setName | undefined) -> the set's points (never per user).
    Napi::Value Metrics(const Napi::CallbackInfo &info) {
        Napi::Env env = info.Env();
        std::string name;
        bool named = info.Length() > 0 && info[0].IsString();
        if (named)
            name = info[0].As<Napi::String>().Utf8Value();
        lakebase_user_pools_stats live;
        const lakebase_user_pools_stats *s = Counters(env, &live);
        return CollectMetrics(
            env, [&](lakebase_metric_fn fn, void *ud, lakebase_error **err) {
                return lakebase_user_pools_metrics_from_stats(
                    s, named ? name.c_str() : nullptr, fn, ud, err);
            });
    }

    // The structs' version fields, as LAKEBASE_USER_POOLS_STATS_INIT sets them
    // (the macro itself draws g++ -Wextra warnings).
    static void InitSetStats(lakebase_user_pools_stats *s) {
        *s = lakebase_user_pools_stats{};
        s->version = LAKEBASE_USER_POOLS_STATS_VERSION;
        lakebase_pool_stats_init(&s->pool, LAKEBASE_POOL_STATS_VERSION);
        lakebase_credential_stats_init(&s->credential,
                                       LAKEBASE_CREDENTIAL_STATS_VERSION);
    }

    SpanListener spans_;                    // closed once the set is freed
    std::shared_ptr<LeaseChannel> channel_; // shut once the set is freed
    lakebase_user_pools *set_ = nullptr;
    lakebase_user_pools_stats final_{};
    std::unordered_map<lakebase_conn *, std::deque<Work *>> lanes_;
    std::vector<Napi::Promise::Deferred> close_waiters_;
    int busy_ = 0;    // calls started and not settled, acquires waiting
    int waiting_ = 0; // acquires waiting for a lease
    int leases_ = 0;  // Clients not released yet
    bool closing_ = false;
    bool freeing_ = false;
};

void Work::OnOK() {
    Napi::Env env = Env();
    try {
        if (rc_ != 0) {
            deferred_.Reject(TakeError(env, err_, rc_));
        } else {
            try {
                deferred_.Resolve(settle_(env));
            } catch (const Napi::Error &e) { // e.g. malformed json
                deferred_.Reject(e.Value());
            }
        }
    } catch (const Napi::Error &) {
        // The environment is being torn down (a worker ended while the call
        // ran): no JS can run and nobody awaits the promise. Thrown on, it
        // would abort the process.
    }
    owner_->Finished(this);
}

// On the JS thread: the requests that arrived, to their set (none once the
// set is gone: the channel is shut first).
void DeliverLeases(Napi::Env env, Napi::Function, LeaseChannel *channel,
                   std::nullptr_t *) {
    if (env == nullptr) // torn down: the finalizer abandons them
        return;
    std::vector<LeaseRequest *> arrived;
    {
        std::lock_guard<std::mutex> lk(channel->mu);
        arrived.swap(channel->arrived);
    }
    Napi::HandleScope hs(env);
    for (LeaseRequest *rq : arrived)
        channel->owner->Leased(env, rq);
}

} // namespace

Napi::Function DefinePoolSet(Napi::Env env) { return PoolSet::Define(env); }

} // namespace lbnode
