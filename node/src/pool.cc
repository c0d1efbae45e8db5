// The pool, driven from libuv on the JS thread (architecture.md §2): one
// uv_poll_t per descriptor the core asks us to watch, one uv_timer_t, and
// lakebase_pool_socket_ready / lakebase_pool_timer_expired when they fire. A
// statement's done callback settles its promise right there: no thread hop
// per query. The handles keep the process alive only while statements are
// pending (unless keepAlive), so an idle pool lets Node exit. Leases for
// transactions come from the same loop without blocking (lease.cc).
#include <uv.h>

#include <memory>
#include <unordered_map>

#include "addon.h"

namespace lbnode {

namespace {

class Pool;

struct PollWatch {
    uv_poll_t handle;
    Pool *pool;
    int fd;
};

struct Statement {
    Pool *pool;
    Napi::Promise::Deferred deferred;
    Int8Mode mode;
};

struct LeaseRequest {
    Pool *pool;
    Napi::Promise::Deferred deferred;
};

void FreeHandle(uv_handle_t *h) {
    if (h->type == UV_POLL)
        delete static_cast<PollWatch *>(h->data);
    else
        delete reinterpret_cast<uv_timer_t *>(h);
}

class Pool : public Napi::ObjectWrap<Pool>, public LeaseOwner {
  public:
    static Napi::Function Define(Napi::Env env) {
        return DefineClass(env, "Pool",
                           {InstanceMethod<&Pool::Query>("query"),
                            InstanceMethod<&Pool::Open>("open"),
                            InstanceMethod<&Pool::Drain>("drain"),
                            InstanceMethod<&Pool::Close>("close"),
                            InstanceMethod<&Pool::Stats>("stats"),
                            InstanceMethod<&Pool::OnRefresh>("onRefresh"),
                            InstanceMethod<&Pool::Acquire>("acquire")});
    }

    // new Pool(pairs, dsn, { keepAlive }, onError)
    explicit Pool(const Napi::CallbackInfo &info)
        : Napi::ObjectWrap<Pool>(info), env_(info.Env()),
          async_(info.Env(), "lakebase.pool") {
        Napi::Env env = info.Env();
        Napi::Object flags = info[2].As<Napi::Object>();
        keep_alive_ = flags.Get("keepAlive").ToBoolean();
        on_error_ = Napi::Persistent(info[3].As<Napi::Function>());
        lakebase_config *cfg = ConfigFrom(env, info[0], info[1]);
        lakebase_error *err = nullptr;
        int rc = lakebase_pool_new(&pool_, cfg, &err);
        lakebase_config_free(cfg);
        if (rc != 0)
            ThrowTaken(env, err, rc);
        Ref();
        if (napi_get_uv_event_loop(env, &loop_) != napi_ok)
            throw Napi::Error::New(env, "no libuv loop");
        timer_ = new uv_timer_t;
        uv_timer_init(loop_, timer_);
        timer_->data = this;
        rc = lakebase_pool_attach_loop(pool_, OnWatch, OnTimerSet, this, &err);
        if (rc != 0) {
            CloseTimer();
            lakebase_pool_free(pool_);
            pool_ = nullptr;
            Unref();
            ThrowTaken(env, err, rc);
        }
        ApplyRefs();
    }

    ~Pool() override {
        // Only reachable after close() (the self-reference taken in the
        // constructor holds it before: libuv handles point at it), so this
        // frees a closed pool and calls no done callback.
        lakebase_pool_free(pool_);
    }

  private:
    // ---- the core's requests -------------------------------------------

    static void OnWatch(void *ud, int fd, int events) {
        static_cast<Pool *>(ud)->SetWatch(fd, events);
    }

    void SetWatch(int fd, int events) {
        auto it = watches_.find(fd);
        if (events == 0) {
            if (it == watches_.end())
                return;
            // Closing stops the poll at once, before the core closes fd.
            uv_close(reinterpret_cast<uv_handle_t *>(&it->second->handle),
                     FreeHandle);
            watches_.erase(it);
            return;
        }
        PollWatch *w;
        if (it == watches_.end()) {
            w = new PollWatch{{}, this, fd};
            int rc = uv_poll_init(loop_, &w->handle, fd);
            if (rc != 0) {
                delete w;
                Report(uv_strerror(rc));
                return;
            }
            w->handle.data = w;
            if (!refd_)
                uv_unref(reinterpret_cast<uv_handle_t *>(&w->handle));
            watches_.emplace(fd, w);
        } else {
            w = it->second;
        }
        int uv_events = (events & LAKEBASE_WATCH_READ ? UV_READABLE : 0) |
                        (events & LAKEBASE_WATCH_WRITE ? UV_WRITABLE : 0);
        int rc = uv_poll_start(&w->handle, uv_events, OnPoll);
        if (rc != 0)
            Report(uv_strerror(rc));
    }

    static void OnTimerSet(void *ud, long delay_ms) {
        Pool *p = static_cast<Pool *>(ud);
        if (!p->timer_)
            return;
        if (delay_ms < 0)
            uv_timer_stop(p->timer_);
        else
            uv_timer_start(p->timer_, OnTimer, static_cast<uint64_t>(delay_ms),
                           0);
    }

    // ---- libuv's callbacks ---------------------------------------------

    static void OnPoll(uv_poll_t *h, int status, int events) {
        auto *w = static_cast<PollWatch *>(h->data);
        // Errors and hang-ups are reported as readable: the core reads and
        // finds out (lakebase_pool_socket_ready's contract).
        int ev = (status < 0 || (events & (UV_READABLE | UV_DISCONNECT))
                      ? LAKEBASE_WATCH_READ
                      : 0) |
                 (events & UV_WRITABLE ? LAKEBASE_WATCH_WRITE : 0);
        w->pool->Drive(w->fd, ev);
    }

    static void OnTimer(uv_timer_t *t) {
        static_cast<Pool *>(t->data)->Drive(-1, 0);
    }

    // One call into the core from the loop. The callback scope runs the
    // microtasks (the awaiting callers' continuations) once, after every
    // done callback of this turn has settled its promise.
    void Drive(int fd, int events) {
        Napi::HandleScope hs(env_);
        Napi::CallbackScope cs(env_, async_);
        lakebase_error *err = nullptr;
        int rc = fd < 0 ? lakebase_pool_timer_expired(pool_, &err)
                        : lakebase_pool_socket_ready(pool_, fd, events, &err);
        if (rc != 0)
            ReportError(TakeError(env_, err, rc));
        ApplyRefs();
    }

    static void OnDone(void *ud, lakebase_result *res, lakebase_error *err) {
        std::unique_ptr<Statement> st(static_cast<Statement *>(ud));
        Pool *p = st->pool;
        Napi::Env env = p->env_;
        Napi::HandleScope hs(env);
        if (res) {
            try {
                st->deferred.Resolve(ResultToJs(env, res, st->mode));
            } catch (const Napi::Error &e) { // e.g. malformed json
                st->deferred.Reject(e.Value());
            }
            lakebase_result_free(res);
        } else {
            st->deferred.Reject(TakeError(env, err, LAKEBASE_EINTERNAL));
        }
        p->Settled();
    }

    static void OnLease(void *ud, lakebase_conn *conn, lakebase_error *err) {
        std::unique_ptr<LeaseRequest> rq(static_cast<LeaseRequest *>(ud));
        Pool *p = rq->pool;
        Napi::Env env = p->env_;
        Napi::HandleScope hs(env);
        if (conn) {
            auto *data = env.GetInstanceData<AddonData>();
            rq->deferred.Resolve(data->client_ctor.New(
                {Napi::External<lakebase_conn>::New(env, conn),
                 Napi::External<LeaseOwner>::New(env, p), p->Value()}));
        } else {
            rq->deferred.Reject(TakeError(env, err, LAKEBASE_EINTERNAL));
        }
        p->Settled();
    }

    // One pending statement or lease request has settled.
    void Settled() {
        if (--pending_ == 0) {
            for (auto &d : drain_waiters_)
                d.Resolve(env_.Undefined());
            drain_waiters_.clear();
        }
    }

    // Runs inside Drive (lakebase_pool_socket_ready), so in its callback scope.
    static void OnRefreshed(void *ud, const lakebase_credential_stats *st) {
        Pool *p = static_cast<Pool *>(ud);
        Napi::HandleScope hs(p->env_);
        try {
            p->on_refresh_.Call({CredentialStatsToJs(p->env_, *st)});
        } catch (const Napi::Error &thrown) {
            napi_fatal_exception(p->env_, thrown.Value());
        }
    }

    // ---- keeping the process alive -------------------------------------

    void ApplyRefs() {
        bool want = keep_alive_ || pending_ > 0;
        if (want == refd_)
            return;
        refd_ = want;
        for (auto &kv : watches_) {
            auto *h = reinterpret_cast<uv_handle_t *>(&kv.second->handle);
            want ? uv_ref(h) : uv_unref(h);
        }
        if (timer_) {
            auto *h = reinterpret_cast<uv_handle_t *>(timer_);
            want ? uv_ref(h) : uv_unref(h);
        }
    }

    void Report(const char *message) {
        ReportError(Napi::Error::New(env_, message).Value());
    }

    void ReportError(Napi::Value e) {
        try {
            on_error_.Call({e});
        } catch (const Napi::Error &thrown) {
            napi_fatal_exception(env_, thrown.Value());
        }
    }

    void CloseTimer() {
        if (!timer_)
            return;
        uv_close(reinterpret_cast<uv_handle_t *>(timer_), FreeHandle);
        timer_ = nullptr;
    }

    // ---- JavaScript methods --------------------------------------------

    // query(sql, params|undefined, int8Mode) -> Promise<result>
    Napi::Value Query(const Napi::CallbackInfo &info) {
        return Submit(nullptr, info);
    }

    Napi::Value QueryOn(lakebase_conn *conn,
                        const Napi::CallbackInfo &info) override {
        return Submit(conn, info);
    }

    // A statement for the pool (conn NULL) or for a lease of it.
    Napi::Value Submit(lakebase_conn *conn, const Napi::CallbackInfo &info) {
        Napi::Env env = info.Env();
        std::string sql = info[0].As<Napi::String>();
        Params params(env, info[1]);
        auto *st = new Statement{this, Napi::Promise::Deferred::New(env),
                                 Int8ModeFrom(info[2])};
        lakebase_error *err = nullptr;
        int rc =
            conn ? lakebase_conn_query_async(conn, sql.c_str(), params.count(),
                                             params.data(), OnDone, st, &err)
                 : lakebase_pool_query_async(pool_, sql.c_str(), params.count(),
                                             params.data(), OnDone, st, &err);
        return Track(env, st, rc, err);
    }

    // The promise of a statement or lease request just submitted (rc, err:
    // the submission's outcome). The core never completes it from inside
    // the submitting call, so `rq` is alive here.
    template <typename Request>
    Napi::Promise Track(Napi::Env env, Request *rq, int rc,
                        lakebase_error *err) {
        Napi::Promise promise = rq->deferred.Promise();
        if (rc != 0) {
            rq->deferred.Reject(TakeError(env, err, rc));
            delete rq;
            return promise;
        }
        pending_++;
        ApplyRefs();
        return promise;
    }

    // open(wait = true) -> Promise: warms min_size connections and fails
    // fast; blocks, so it runs on the threadpool (once per pool).
    Napi::Value Open(const Napi::CallbackInfo &info) {
        lakebase_pool *pool = pool_;
        int wait = info.Length() > 0 && info[0].IsBoolean()
                       ? info[0].As<Napi::Boolean>().Value()
                       : 1;
        return Task::Run(
            info.Env(), "lakebase.pool.open",
            [pool, wait](lakebase_error **err) {
                return lakebase_pool_open(pool, wait, err);
            },
            nullptr);
    }

    // drain() -> Promise resolved once no statement is pending.
    Napi::Value Drain(const Napi::CallbackInfo &info) {
        auto d = Napi::Promise::Deferred::New(info.Env());
        if (pending_ == 0)
            d.Resolve(info.Env().Undefined());
        else
            drain_waiters_.push_back(d);
        return d.Promise();
    }

    // close(cancelInflight = true) -> Promise: ends the pool and its
    // handles. end() calls it after drain(), so no statement is in flight
    // and nothing here waits on the server; a lease still held loses its
    // connection (its statements then fail with ECLOSED).
    Napi::Value Close(const Napi::CallbackInfo &info) {
        Napi::Env env = info.Env();
        auto done = Napi::Promise::Deferred::New(env);
        if (closed_) {
            done.Resolve(env.Undefined());
            return done.Promise();
        }
        closed_ = true;
        int cancel = info.Length() == 0 || info[0].ToBoolean().Value();
        lakebase_error *err = nullptr;
        int rc = lakebase_pool_close(pool_, cancel, &err);
        CloseTimer();
        for (auto &kv : watches_)
            uv_close(reinterpret_cast<uv_handle_t *>(&kv.second->handle),
                     FreeHandle);
        watches_.clear();
        Unref();
        if (rc != 0)
            done.Reject(TakeError(env, err, rc));
        else
            done.Resolve(env.Undefined());
        return done.Promise();
    }

    // onRefresh(fn | null): fn(credentialStats) after each new credential,
    // called by the core on this thread (no timer, no polling).
    Napi::Value OnRefresh(const Napi::CallbackInfo &info) {
        Napi::Env env = info.Env();
        bool on = info[0].IsFunction();
        on_refresh_ = on ? Napi::Persistent(info[0].As<Napi::Function>())
                         : Napi::FunctionReference();
        lakebase_error *err = nullptr;
        int rc = lakebase_pool_set_refresh_callback(
            pool_, on ? OnRefreshed : nullptr, this, &err);
        if (rc != 0)
            ThrowTaken(env, err, rc);
        return env.Undefined();
    }

    Napi::Value Stats(const Napi::CallbackInfo &info) {
        Napi::Env env = info.Env();
        lakebase_pool_stats s = LAKEBASE_POOL_STATS_INIT;
        lakebase_credential_stats credential = LAKEBASE_CREDENTIAL_STATS_INIT;
        lakebase_error *err = nullptr;
        int rc = lakebase_pool_get_stats(pool_, &s, &err);
        if (rc == 0)
            rc = lakebase_pool_credential_stats(pool_, &credential, &err);
        if (rc != 0)
            ThrowTaken(env, err, rc);
        auto num = [&](double v) { return Napi::Number::New(env, v); };
        Napi::Object o = Napi::Object::New(env);
        o.Set("total", num(s.total));
        o.Set("idle", num(s.idle));
        o.Set("inUse", num(s.in_use));
        o.Set("connecting", num(s.connecting));
        o.Set("waiting", num(s.waiting));
        o.Set("pending", num(pending_));
        o.Set("connectsOk", num(static_cast<double>(s.connects_ok)));
        o.Set("connectsFailed", num(static_cast<double>(s.connects_failed)));
        o.Set("recycled", num(static_cast<double>(s.recycled)));
        o.Set("discarded", num(static_cast<double>(s.discarded)));
        o.Set("acquires", num(static_cast<double>(s.acquires)));
        o.Set("acquireTimeouts", num(static_cast<double>(s.acquire_timeouts)));
        o.Set("trimmed", num(static_cast<double>(s.trimmed)));
        o.Set("credential", CredentialStatsToJs(env, credential));
        return o;
    }

    // acquire() -> Promise<Client>: a connection of the caller's own, for
    // transactions, leased by the loop without blocking.
    Napi::Value Acquire(const Napi::CallbackInfo &info) {
        Napi::Env env = info.Env();
        auto *rq = new LeaseRequest{this, Napi::Promise::Deferred::New(env)};
        lakebase_error *err = nullptr;
        int rc = lakebase_pool_acquire_async(pool_, -1, OnLease, rq, nullptr,
                                             nullptr, &err);
        return Track(env, rq, rc == 1 ? 0 : rc, err);
    }

    Napi::Env env_;
    Napi::AsyncContext async_;
    Napi::FunctionReference on_error_;
    Napi::FunctionReference on_refresh_;
    lakebase_pool *pool_ = nullptr;
    uv_loop_t *loop_ = nullptr;
    uv_timer_t *timer_ = nullptr;
    std::unordered_map<int, PollWatch *> watches_;
    std::vector<Napi::Promise::Deferred> drain_waiters_;
    int pending_ = 0;
    bool keep_alive_ = false;
    bool refd_ = true;
    bool closed_ = false;
};

} // namespace

Napi::Function DefinePool(Napi::Env env) { return Pool::Define(env); }

} // namespace lbnode
