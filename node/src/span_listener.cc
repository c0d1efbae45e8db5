// options.onSpan: the core's span listener (lakebase_config_set_span_listener)
// forwarded to a JS function. The core calls the listener on whatever thread
// finished the mint or connect (its reactor, a worker, or the JS thread
// itself); the span is copied and queued on a thread-safe function without
// ever blocking that thread: when kQueueSize spans already wait for the JS
// thread, the new one is dropped. The thread-safe function never keeps the
// event loop alive and is released once the handle is freed (Close()); the
// spans queued by then are still delivered.
#include <memory>
#include <mutex>

#include "addon.h"

namespace lbnode {

namespace {

constexpr size_t kQueueSize = 1024;

// One finished span, copied off the core's borrowed pointers.
struct SpanCopy {
    struct Attribute {
        std::string key;
        std::string text;
        bool is_int;
        int64_t value;
    };
    std::string name;
    int64_t start_unix_nanos;
    int64_t end_unix_nanos;
    int error_code;
    std::string error_message;
    std::vector<Attribute> attributes;

    explicit SpanCopy(const lakebase_span *s)
        : name(s->name), start_unix_nanos(s->start_unix_nanos),
          end_unix_nanos(s->end_unix_nanos), error_code(s->error_code),
          error_message(s->error_message ? s->error_message : "") {
        attributes.reserve(s->attribute_count);
        for (size_t i = 0; i < s->attribute_count; i++)
            attributes.push_back({s->attribute_keys[i], s->attribute_values[i],
                                  s->attribute_is_int[i] != 0,
                                  s->attribute_ints[i]});
    }
};

// [seconds, nanoseconds] since the epoch: OpenTelemetry JS's HrTime, which
// a tracer takes as a start or end time without loss.
Napi::Array HrTime(Napi::Env env, int64_t unix_nanos) {
    Napi::Array t = Napi::Array::New(env, 2);
    t.Set(0u,
          Napi::Number::New(env, static_cast<double>(unix_nanos / 1000000000)));
    t.Set(1u,
          Napi::Number::New(env, static_cast<double>(unix_nanos % 1000000000)));
    return t;
}

// { name, startTime, endTime, error: LakebaseError | null, attributes }
Napi::Object SpanToJs(Napi::Env env, const SpanCopy &s) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", s.name);
    o.Set("startTime", HrTime(env, s.start_unix_nanos));
    o.Set("endTime", HrTime(env, s.end_unix_nanos));
    o.Set("error", s.error_code != 0
                       ? MakeError(env, s.error_code, s.error_message.c_str())
                       : env.Null());
    Napi::Object attributes = Napi::Object::New(env);
    for (const auto &a : s.attributes) {
        if (a.is_int)
            attributes.Set(
                a.key, Napi::Number::New(env, static_cast<double>(a.value)));
        else
            attributes.Set(a.key, a.text);
    }
    o.Set("attributes", attributes);
    return o;
}

void CallJs(Napi::Env env, Napi::Function fn, SpanListenerState *,
            SpanCopy *span);
using SpanTsfn =
    Napi::TypedThreadSafeFunction<SpanListenerState, SpanCopy, CallJs>;

} // namespace

// What the core's listener, the owner and the thread-safe function's
// finalizer share: once the function is released or finalized (drained,
// or the environment torn down) nothing more is queued on it.
struct SpanListenerState {
    std::mutex mu;
    bool open = true;
    SpanTsfn tsfn;
};

namespace {

// On the JS thread: the span to the JS function.
void CallJs(Napi::Env env, Napi::Function fn, SpanListenerState *,
            SpanCopy *span) {
    std::unique_ptr<SpanCopy> owned(span);
    if (env == nullptr) // torn down with spans still queued
        return;
    Napi::HandleScope hs(env);
    try {
        fn.Call({SpanToJs(env, *owned)});
    } catch (const Napi::Error &thrown) {
        napi_fatal_exception(env, thrown.Value());
    }
}

// The core's lakebase_span_fn, on the thread that finished the span.
void Deliver(void *ud, const lakebase_span *span) {
    auto *state = static_cast<SpanListenerState *>(ud);
    std::lock_guard<std::mutex> lk(state->mu);
    if (!state->open)
        return;
    auto *copy = new SpanCopy(span);
    // Full queue (or closing): the span is dropped, the thread never waits.
    if (state->tsfn.NonBlockingCall(copy) != napi_ok)
        delete copy;
}

} // namespace

void SpanListener::Install(Napi::Env env, lakebase_config *cfg,
                           Napi::Value fn) {
    if (!fn.IsFunction())
        return;
    auto state = std::make_shared<SpanListenerState>();
    state->tsfn = SpanTsfn::New(
        env, fn.As<Napi::Function>(), "lakebase.onSpan", kQueueSize, 1,
        state.get(),
        [](Napi::Env, std::shared_ptr<SpanListenerState> *keep,
           SpanListenerState *) {
            {
                std::lock_guard<std::mutex> lk((*keep)->mu);
                (*keep)->open = false;
            }
            delete keep;
        },
        new std::shared_ptr<SpanListenerState>(state));
    state->tsfn.Unref(env);
    state_ = state;
    lakebase_error *err = nullptr;
    int rc = lakebase_config_set_span_listener(cfg, Deliver, state.get(), &err);
    if (rc != 0)
        ThrowTaken(env, err, rc);
}

void SpanListener::Close() {
    if (!state_)
        return;
    {
        std::lock_guard<std::mutex> lk(state_->mu);
        if (state_->open) {
            state_->open = false;
            state_->tsfn.Release();
        }
    }
    state_.reset();
}

} // namespace lbnode
