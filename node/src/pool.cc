// The pool, driven from libuv on the JS thread (architecture.md §2): one
// uv_poll_t per descriptor the core asks us to watch, one uv_timer_t, and
// lakebase_pool_socket_ready / lakebase_pool_timer_expired when they fire. A
// statement's done callback settles its promise right there: no thread hop
// per query. open() and close() complete the same way
// (lakebase_pool_open_async, lakebase_pool_close_async): nothing here blocks
// the JS thread or uses the libuv threadpool. The handles keep the process
// alive only while statements, leases, an open or a close are pending
// (unless keepAlive), so an idle pool lets Node exit. Leases for
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
                            InstanceMethod<&Pool::Metrics>("metrics"),
                            InstanceMethod<&Pool::OnRefresh>("onRefresh"),
                            InstanceMethod<&Pool::Acquire>("acquire")});
    }

    // new Pool(pairs, dsn, { keepAlive, tokenSource, onSpan }, onError)
    explicit Pool(const Napi::CallbackInfo &info)
        : Napi::ObjectWrap<Pool>(info), env_(info.Env()),
          async_(info.Env(), "lakebase.pool") {
        Napi::Env env = info.Env();
        Napi::Object flags = info[2].As<Napi::Object>();
        keep_alive_ = flags.Get("keepAlive").ToBoolean();
        on_error_ = Napi::Persistent(info[3].As<Napi::Function>());
        lakebase_config *cfg = ConfigFrom(env, info[0], info[1]);
        try {
            Napi::Value source = flags.Get("tokenSource");
            if (source.IsFunction())
                SetTokenSource(env, cfg, source.As<Napi::Function>());
            spans_.Install(env, cfg, flags.Get("onSpan"));
        } catch (...) {
            lakebase_config_free(cfg);
            throw;
        }
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
        // Reachable once close() has completed (the self-reference taken in
        // the constructor holds it before: libuv handles point at it), when
        // the pool is normally freed already; or at environment teardown.
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
        // The close's done callback ran inside that call, which still used
        // the pool: only now may its handles go and the pool be freed.
        if (close_reported_ && !closed_)
            FinishClose();
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
            p->leases_++;
            auto *data = env.GetInstanceData<AddonData>();
            rq->deferred.Resolve(data->client_ctor.New(
                {Napi::External<lakebase_conn>::New(env, conn),
                 Napi::External<LeaseOwner>::New(env, p), p->Value()}));
        } else {
            rq->deferred.Reject(TakeError(env, err, LAKEBASE_EINTERNAL));
        }
        p->Settled();
    }

    // lakebase_pool_open_async's completion, on this thread: from Drive, or
    // from inside close() when the close ends an open under way.
    static void OnOpened(void *ud, lakebase_error *err) {
        Pool *p = static_cast<Pool *>(ud);
        Napi::Env env = p->env_;
        Napi::HandleScope hs(env);
        std::vector<Napi::Promise::Deferred> waiters;
        waiters.swap(p->open_waiters_);
        Napi::Value e =
            err ? TakeError(env, err, LAKEBASE_EINTERNAL) : env.Undefined();
        for (auto &d : waiters)
            err ? d.Reject(e) : d.Resolve(env.Undefined());
        p->Settled();
    }

    // lakebase_pool_close_async's completion, from inside Drive: every
    // connection is closed and the core has stopped its watches and timer.
    static void OnClosed(void *ud) {
        static_cast<Pool *>(ud)->close_reported_ = true;
    }

    // One pending statement, lease or open request has settled.
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
        bool want = keep_alive_ || pending_ > 0 || (closing_ && !closed_);
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

    Napi::Value ClosedError(Napi::Env env) {
        return MakeError(env, LAKEBASE_ECLOSED, "the pool is closed");
    }

    // The close has completed: the libuv handles go, close() resolves, and
    // the pool is freed once no lease is held (a lease's handle stays valid
    // until it is released).
    void FinishClose() {
        closed_ = true;
        CloseTimer();
        for (auto &kv : watches_)
            uv_close(reinterpret_cast<uv_handle_t *>(&kv.second->handle),
                     FreeHandle);
        watches_.clear();
        for (auto &d : close_waiters_)
            d.Resolve(env_.Undefined());
        close_waiters_.clear();
        FreeIfDone();
        Unref(); // the constructor's self-reference: nothing points here now
    }

    void FreeIfDone() {
        if (!closed_ || leases_ > 0 || !pool_)
            return;
        // What stats() reports from now on.
        lakebase_error *err = nullptr;
        GetStats(&final_, &final_credential_, &err);
        lakebase_error_free(err);
        lakebase_pool_free(pool_);
        pool_ = nullptr;
        spans_.Close();
    }

    // The pool's counters and its provider's (the structs' _init functions
    // rather than their _INIT macros, which g++ -Wextra warns about).
    int GetStats(lakebase_pool_stats *s, lakebase_credential_stats *c,
                 lakebase_error **err) {
        lakebase_pool_stats_init(s, LAKEBASE_POOL_STATS_VERSION);
        lakebase_credential_stats_init(c, LAKEBASE_CREDENTIAL_STATS_VERSION);
        int rc = lakebase_pool_get_stats(pool_, s, err);
        return rc != 0 ? rc : lakebase_pool_credential_stats(pool_, c, err);
    }

    // On the host thread, where an attached pool's release never blocks.
    void Release(lakebase_conn *conn) override {
        lakebase_conn_release(conn);
        leases_--;
        FreeIfDone();
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
        if (!pool_)
            return Rejected(env, ClosedError(env));
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

    static Napi::Promise Rejected(Napi::Env env, Napi::Value e) {
        auto d = Napi::Promise::Deferred::New(env);
        d.Reject(e);
        return d.Promise();
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

    // open(wait = true) -> Promise: warms min_size connections; with wait it
    // settles once they are ready, failing fast on a wrong identity, role or
    // database. Never blocks: the core opens them on its own threads and
    // reports on this one (lakebase_pool_open_async). Calls made while an
    // open is under way share its outcome.
    Napi::Value Open(const Napi::CallbackInfo &info) {
        Napi::Env env = info.Env();
        if (closing_)
            return Rejected(env, ClosedError(env));
        bool wait = info.Length() == 0 || !info[0].IsBoolean() ||
                    info[0].As<Napi::Boolean>().Value();
        auto d = Napi::Promise::Deferred::New(env);
        lakebase_error *err = nullptr;
        if (!wait) { // starts warming in the background and returns
            int rc = lakebase_pool_open(pool_, 0, &err);
            if (rc != 0)
                d.Reject(TakeError(env, err, rc));
            else
                d.Resolve(env.Undefined());
            return d.Promise();
        }
        if (open_waiters_.empty()) {
            int rc = lakebase_pool_open_async(pool_, OnOpened, this, &err);
            if (rc != 0) {
                d.Reject(TakeError(env, err, rc));
                return d.Promise();
            }
            pending_++; // keeps the loop alive until it completes
            ApplyRefs();
        }
        open_waiters_.push_back(d);
        return d.Promise();
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

    // close(cancelInflight = true) -> Promise, resolved once every
    // connection is closed. Never blocks (lakebase_pool_close_async): new
    // work is refused at once, queued statements fail with ECLOSED, and with
    // cancelInflight what still runs is cancelled (dropped if still running
    // 5 s later); a lease still held loses its connection (its statements
    // then fail with ECLOSED). end() calls it after drain().
    Napi::Value Close(const Napi::CallbackInfo &info) {
        Napi::Env env = info.Env();
        auto d = Napi::Promise::Deferred::New(env);
        if (closed_) {
            d.Resolve(env.Undefined());
            return d.Promise();
        }
        close_waiters_.push_back(d);
        if (closing_)
            return d.Promise();
        long cancel_after_ms =
            info.Length() == 0 || info[0].ToBoolean().Value() ? 0 : -1;
        lakebase_error *err = nullptr;
        closing_ = true;
        int rc = lakebase_pool_close_async(pool_, cancel_after_ms, OnClosed,
                                           this, &err);
        if (rc != 0) {
            closing_ = false;
            Napi::Value e = TakeError(env, err, rc);
            for (auto &w : close_waiters_)
                w.Reject(e);
            close_waiters_.clear();
        }
        ApplyRefs();
        return d.Promise();
    }

    // onRefresh(fn | null): fn(credentialStats) after each new credential,
    // called by the core on this thread (no timer, no polling).
    Napi::Value OnRefresh(const Napi::CallbackInfo &info) {
        Napi::Env env = info.Env();
        if (closing_) // the core calls it no more
            return env.Undefined();
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

    // stats(): live counters, or the last ones once the pool is freed.
    Napi::Value Stats(const Napi::CallbackInfo &info) {
        Napi::Env env = info.Env();
        lakebase_pool_stats live{};
        lakebase_credential_stats live_credential{};
        if (pool_) {
            lakebase_error *err = nullptr;
            int rc = GetStats(&live, &live_credential, &err);
            if (rc != 0)
                ThrowTaken(env, err, rc);
        }
        const lakebase_pool_stats &s = pool_ ? live : final_;
        const lakebase_credential_stats &credential =
            pool_ ? live_credential : final_credential_;
        Napi::Object o = PoolStatsToJs(env, s, credential);
        o.Set("pending", Napi::Number::New(env, pending_));
        return o;
    }

    // metrics(poolName | undefined) -> the core's data points for the pool
    // and its provider (lakebase_pool_metrics); once the pool is freed, the
    // same points from its last counters (lakebase_metrics_from_stats).
    Napi::Value Metrics(const Napi::CallbackInfo &info) {
        Napi::Env env = info.Env();
        std::string name;
        bool named = info.Length() > 0 && info[0].IsString();
        if (named)
            name = info[0].As<Napi::String>().Utf8Value();
        const char *pool_name = named ? name.c_str() : nullptr;
        return CollectMetrics(env, [&](lakebase_metric_fn fn, void *ud,
                                       lakebase_error **err) {
            return pool_ ? lakebase_pool_metrics(pool_, pool_name, fn, ud, err)
                         : lakebase_metrics_from_stats(&final_,
                                                       &final_credential_,
                                                       pool_name, fn, ud, err);
        });
    }

    // acquire() -> Promise<Client>: a connection of the caller's own, for
    // transactions, leased by the loop without blocking.
    Napi::Value Acquire(const Napi::CallbackInfo &info) {
        Napi::Env env = info.Env();
        if (!pool_)
            return Rejected(env, ClosedError(env));
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
    SpanListener spans_; // closed once the pool is freed
    lakebase_pool *pool_ = nullptr;
    uv_loop_t *loop_ = nullptr;
    uv_timer_t *timer_ = nullptr;
    std::unordered_map<int, PollWatch *> watches_;
    std::vector<Napi::Promise::Deferred> drain_waiters_;
    std::vector<Napi::Promise::Deferred> open_waiters_;
    std::vector<Napi::Promise::Deferred> close_waiters_;
    lakebase_pool_stats final_{};
    lakebase_credential_stats final_credential_{};
    int pending_ = 0; // statements, lease requests and an open not settled
    int leases_ = 0;  // Clients not released yet
    bool keep_alive_ = false;
    bool refd_ = true;
    bool closing_ = false;        // close() called
    bool close_reported_ = false; // the core's close callback ran
    bool closed_ = false;         // ... and the handles are closed
};

} // namespace

Napi::Function DefinePool(Napi::Env env) { return Pool::Define(env); }

} // namespace lbnode
