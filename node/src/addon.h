// Shared declarations of the addon: the error bridge, result conversion and
// the configuration/parameter helpers used by every wrapped object.
#pragma once

#include <lakebase.h>
#include <napi.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace lbnode {

// How int8 columns come back to JavaScript (the `int8` option). Text: every
// cell is the server's text and rows are arrays (the conformance runner
// compares what lakebase_result_text returns).
enum class Int8Mode { String = 0, BigInt = 1, Number = 2, Text = 3 };

// Per-environment state, set once by the JS side through init().
struct AddonData {
    // (name, errno, message, httpStatus, sqlstate, apiCode) => LakebaseError;
    // the name is the core's (lakebase_error_name): Node keeps no code table.
    Napi::FunctionReference make_error;
    Napi::FunctionReference json_parse;
    Napi::FunctionReference client_ctor;
};

// The JS error for a failure, freeing `err` (which may be NULL: `code` is
// then used with the library's generic message).
Napi::Value TakeError(Napi::Env env, lakebase_error *err, int code);
// Throws TakeError(...) as a C++ exception.
[[noreturn]] void ThrowTaken(Napi::Env env, lakebase_error *err, int code);
// The JS error for a failure the addon detects itself (no lakebase_error).
Napi::Value MakeError(Napi::Env env, int code, const char *message);

// A configuration from [[key, value | null], ...] and an optional DSN;
// throws. When setting a key fails, the error carries that core key as
// `key` (lib/options.js names the option from it).
lakebase_config *ConfigFrom(Napi::Env env, Napi::Value pairs, Napi::Value dsn);

// Statement parameters: an array of string|null (lib/values.js made them).
struct Params {
    std::vector<std::string> store;
    std::vector<const char *> ptrs;
    Params(Napi::Env env, Napi::Value values);
    int count() const { return static_cast<int>(ptrs.size()); }
    const char *const *data() const {
        return ptrs.empty() ? nullptr : ptrs.data();
    }
};

// { rows, rowCount, fields, command } for one result (not freed here).
Napi::Value ResultToJs(Napi::Env env, const lakebase_result *res,
                       Int8Mode mode);

Int8Mode Int8ModeFrom(Napi::Value v);

// { mintsOk, mintsFailed, ..., lastErrorCode, lastErrorName,
// lastErrorHttpStatus } for provider counters.
Napi::Object CredentialStatsToJs(Napi::Env env,
                                 const lakebase_credential_stats &c);

// { total, idle, inUse, ..., acquireTimeouts, credential } for a pool's (or
// a pool set's summed) counters.
Napi::Object PoolStatsToJs(Napi::Env env, const lakebase_pool_stats &s,
                           const lakebase_credential_stats &c);

// One of the core's collect functions (lakebase_pool_metrics and its
// siblings), given the point callback and its userdata.
using MetricCollect =
    std::function<int(lakebase_metric_fn, void *, lakebase_error **)>;
// The points `collect` reports, as [{ metric, name, attributes, value,
// count?, sum?, bounds?, bucketCounts? }]; throws the core's error.
Napi::Array CollectMetrics(Napi::Env env, const MetricCollect &collect);

// Zeroes a string holding a secret (a workspace token), then empties it.
void WipeSecret(std::string &s);

// Installs options.tokenSource (a JS function) as the configuration's
// workspace token source (token_source.cc).
void SetTokenSource(Napi::Env env, lakebase_config *cfg, Napi::Function fn);

// options.onSpan (span_listener.cc): the core's span listener on a
// configuration, each finished span forwarded to a JS function through a
// thread-safe function that never blocks the core's thread (a full queue
// drops the span) and never keeps the event loop alive. Close() once the
// handle made from the configuration is freed (the destructor does too):
// the spans already queued are still delivered.
struct SpanListenerState;
class SpanListener {
  public:
    SpanListener() = default;
    SpanListener(const SpanListener &) = delete;
    SpanListener &operator=(const SpanListener &) = delete;
    ~SpanListener() { Close(); }

    // Installs `fn` when it is a function (nothing otherwise); throws.
    void Install(Napi::Env env, lakebase_config *cfg, Napi::Value fn);
    void Close();

  private:
    std::shared_ptr<SpanListenerState> state_;
};

// What a leased connection needs from the pool that lent it: its
// statements run through the pool's completion path (pending count, keeping
// the loop alive, one callback scope per libuv callback), and the pool is
// freed only once every lease is given back.
class LeaseOwner {
  public:
    // query(sql, params, int8) on `conn` -> Promise<result>
    virtual Napi::Value QueryOn(lakebase_conn *conn,
                                const Napi::CallbackInfo &info) = 0;
    // Gives the lease back (lakebase_conn_release, now or once the
    // statements queued on it have run).
    virtual void Release(lakebase_conn *conn) = 0;

  protected:
    ~LeaseOwner() = default;
};

Napi::Function DefinePool(Napi::Env env);
Napi::Function DefineClient(Napi::Env env);
Napi::Function DefineCredentials(Napi::Env env);
Napi::Function DefinePoolSet(Napi::Env env);
Napi::Value MetricTable(const Napi::CallbackInfo &info);
Napi::Value SpanTable(const Napi::CallbackInfo &info);

} // namespace lbnode
