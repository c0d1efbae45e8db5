// options.tokenSource: a JS function the core calls for the workspace token
// (lakebase_config_set_token_source), as a program that owns its auth, or
// that holds a user's forwarded token, provides it. The core calls it on
// one of its worker threads, which waits while the function runs on the JS
// thread (through a thread-safe function) and, when it returns a promise,
// until that settles, at most kWaitSeconds. Never on the JS thread itself:
// it would wait for itself, so such a call fails at once.
//
// The callback's failures reach the caller as LAKEBASE_ECALLBACK with the
// returned value in the message: -1 the function threw or its promise
// rejected, -2 it gave neither a string nor { token, expiresAt }, -3 the
// token is too long, -4 it did not settle within kWaitSeconds, -5 called on
// the JS thread, -6 the environment is going away.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "addon.h"

namespace lbnode {

namespace {

constexpr int kWaitSeconds = 30;

// One call's outcome, shared by the waiting worker thread and the JS thread
// (the worker may have stopped waiting when the promise settles).
struct TokenCall {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    int rc = -1;
    std::string token;
    int64_t expires_at_ms = 0;

    ~TokenCall() { WipeSecret(token); }

    void Finish(int code) {
        std::lock_guard<std::mutex> lk(mu);
        rc = code;
        done = true;
        cv.notify_all();
    }

    // `v`: the token, or { token, expiresAt: Date | Unix ms }.
    void Complete(Napi::Value v) {
        Napi::Value token = v;
        Napi::Value expires;
        if (v.IsObject() && !v.IsString()) {
            token = v.As<Napi::Object>().Get("token");
            expires = v.As<Napi::Object>().Get("expiresAt");
        }
        if (!token.IsString() || token.As<Napi::String>().Utf8Value().empty())
            return Finish(-2);
        {
            std::lock_guard<std::mutex> lk(mu);
            this->token = token.As<Napi::String>().Utf8Value();
            if (!expires.IsEmpty() && (expires.IsNumber() || expires.IsDate()))
                expires_at_ms =
                    static_cast<int64_t>(expires.ToNumber().DoubleValue());
        }
        Finish(0);
    }
};

using Shared = std::shared_ptr<TokenCall>;
void CallJs(Napi::Env env, Napi::Function fn, std::nullptr_t *, Shared *call);
using TokenTsfn = Napi::TypedThreadSafeFunction<std::nullptr_t, Shared, CallJs>;

struct TokenSource {
    TokenTsfn tsfn;
    std::thread::id js_thread;
};

// On the JS thread: run the function; settle now, or when its promise does.
void CallJs(Napi::Env env, Napi::Function fn, std::nullptr_t *, Shared *arg) {
    Shared call = *arg;
    delete arg;
    if (env == nullptr)
        return call->Finish(-6);
    Napi::HandleScope hs(env);
    Napi::Value v;
    try {
        v = fn.Call({});
    } catch (const Napi::Error &) {
        return call->Finish(-1);
    }
    Napi::Value then =
        v.IsObject() ? v.As<Napi::Object>().Get("then") : env.Undefined();
    if (!then.IsFunction())
        return call->Complete(v);
    auto resolved =
        Napi::Function::New(env, [call](const Napi::CallbackInfo &info) {
            call->Complete(info[0]);
        });
    auto rejected = Napi::Function::New(
        env, [call](const Napi::CallbackInfo &) { call->Finish(-1); });
    try {
        then.As<Napi::Function>().Call(v, {resolved, rejected});
    } catch (const Napi::Error &) {
        call->Finish(-1);
    }
}

// The core's lakebase_token_source_fn, on the thread that needs a token.
int FetchToken(void *ud, char *buf, size_t cap, int64_t *expires_at_ms) {
    auto *src = static_cast<TokenSource *>(ud);
    if (std::this_thread::get_id() == src->js_thread)
        return -5;
    Shared call = std::make_shared<TokenCall>();
    auto *arg = new Shared(call);
    if (src->tsfn.BlockingCall(arg) != napi_ok) {
        delete arg;
        return -6;
    }
    std::unique_lock<std::mutex> lk(call->mu);
    if (!call->cv.wait_for(lk, std::chrono::seconds(kWaitSeconds),
                           [&] { return call->done; }))
        return -4;
    if (call->rc != 0)
        return call->rc;
    if (call->token.size() + 1 > cap)
        return -3;
    call->token.copy(buf, call->token.size());
    buf[call->token.size()] = '\0';
    *expires_at_ms = call->expires_at_ms;
    WipeSecret(call->token);
    return 0;
}

} // namespace

void SetTokenSource(Napi::Env env, lakebase_config *cfg, Napi::Function fn) {
    // Never freed: the core keys its shared providers by this pointer and
    // may keep one after the pool is gone, so an address used again must
    // never name another function (another identity's token). The
    // thread-safe function never keeps the loop alive (the pool's own
    // handles do while a statement waits for a mint).
    auto *src =
        new TokenSource{TokenTsfn::New(env, fn, "lakebase.tokenSource", 0, 1),
                        std::this_thread::get_id()};
    src->tsfn.Unref(env);
    lakebase_error *err = nullptr;
    int rc = lakebase_config_set_token_source(cfg, FetchToken, src, &err);
    if (rc != 0)
        ThrowTaken(env, err, rc);
}

} // namespace lbnode
