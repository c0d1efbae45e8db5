// Shared declarations of the addon: the error bridge, result conversion and
// the configuration/parameter helpers used by every wrapped object.
#pragma once

#include <lakebase.h>
#include <napi.h>

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

// What a leased connection needs from the pool that lent it: its
// statements run through the pool's completion path (pending count, keeping
// the loop alive, one callback scope per libuv callback), and the pool is
// freed only once every lease is given back.
class LeaseOwner {
  public:
    // query(sql, params, int8) on `conn` -> Promise<result>
    virtual Napi::Value QueryOn(lakebase_conn *conn,
                                const Napi::CallbackInfo &info) = 0;
    // A lease was released (lakebase_conn_release has run).
    virtual void LeaseReleased() = 0;

  protected:
    ~LeaseOwner() = default;
};

Napi::Function DefinePool(Napi::Env env);
Napi::Function DefineClient(Napi::Env env);
Napi::Function DefineCredentials(Napi::Env env);

} // namespace lbnode
