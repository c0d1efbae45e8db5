// Results to JavaScript values, on the JS thread: the node-postgres shape
// { rows, rowCount, fields, command } with typed cells.
#include <cstring>

#include "addon.h"

namespace lbnode {

static Napi::Value TextCell(Napi::Env env, const lakebase_result *res, int r,
                            int c) {
    size_t len = 0;
    const char *s = lakebase_result_text(res, r, c, &len);
    return s ? Napi::String::New(env, s, len) : env.Null();
}

static Napi::Value Int8Cell(Napi::Env env, const lakebase_result *res, int r,
                            int c, Int8Mode mode) {
    int64_t v = 0;
    if (mode == Int8Mode::String || lakebase_result_int64(res, r, c, &v) != 0)
        return TextCell(env, res, r, c);
    if (mode == Int8Mode::BigInt)
        return Napi::BigInt::New(env, v);
    return Napi::Number::New(env, static_cast<double>(v));
}

// A typed getter failing (NaN, infinity dates...) falls back to the text.
static Napi::Value Cell(Napi::Env env, const lakebase_result *res, int r, int c,
                        uint32_t type, Int8Mode mode) {
    if (lakebase_result_is_null(res, r, c))
        return env.Null();
    if (mode == Int8Mode::Text)
        return TextCell(env, res, r, c);
    switch (type) {
    case LAKEBASE_TYPE_BOOL: {
        int b = 0;
        if (lakebase_result_bool(res, r, c, &b) == 0)
            return Napi::Boolean::New(env, b != 0);
        break;
    }
    case LAKEBASE_TYPE_INT2:
    case LAKEBASE_TYPE_INT4:
    case LAKEBASE_TYPE_OID: {
        int64_t v = 0;
        if (lakebase_result_int64(res, r, c, &v) == 0)
            return Napi::Number::New(env, static_cast<double>(v));
        break;
    }
    case LAKEBASE_TYPE_INT8: return Int8Cell(env, res, r, c, mode);
    case LAKEBASE_TYPE_FLOAT4:
    case LAKEBASE_TYPE_FLOAT8: {
        double d = 0;
        if (lakebase_result_double(res, r, c, &d) == 0)
            return Napi::Number::New(env, d);
        break;
    }
    case LAKEBASE_TYPE_TIMESTAMP:
    case LAKEBASE_TYPE_TIMESTAMPTZ: {
        int64_t us = 0;
        if (lakebase_result_timestamp_us(res, r, c, &us) == 0)
            return Napi::Date::New(env, static_cast<double>(us) / 1000.0);
        break;
    }
    case LAKEBASE_TYPE_BYTEA: {
        unsigned char *bytes = nullptr;
        size_t len = 0;
        if (lakebase_result_bytea(res, r, c, &bytes, &len) == 0) {
            Napi::Value buf =
                Napi::Buffer<unsigned char>::Copy(env, bytes, len);
            lakebase_free(bytes);
            return buf;
        }
        break;
    }
    case LAKEBASE_TYPE_JSON:
    case LAKEBASE_TYPE_JSONB:
        return env.GetInstanceData<AddonData>()->json_parse.Call(
            {TextCell(env, res, r, c)});
    default: break;
    }
    return TextCell(env, res, r, c);
}

// node-postgres reports the command tag's verb ("INSERT 0 3" -> "INSERT").
static Napi::Value CommandVerb(Napi::Env env, const lakebase_result *res) {
    const char *tag = lakebase_result_command(res);
    if (!tag)
        return env.Null();
    return Napi::String::New(env, tag, strcspn(tag, " "));
}

Napi::Value ResultToJs(Napi::Env env, const lakebase_result *res,
                       Int8Mode mode) {
    int nrows = lakebase_result_rows(res);
    int ncols = lakebase_result_columns(res);
    std::vector<napi_value> names(static_cast<size_t>(ncols));
    std::vector<uint32_t> types(static_cast<size_t>(ncols));
    Napi::Array fields = Napi::Array::New(env, static_cast<size_t>(ncols));
    for (int c = 0; c < ncols; c++) {
        Napi::String name =
            Napi::String::New(env, lakebase_result_column_name(res, c));
        names[c] = name;
        types[c] = lakebase_result_column_type(res, c);
        Napi::Object f = Napi::Object::New(env);
        f.Set("name", name);
        f.Set("dataTypeID", Napi::Number::New(env, types[c]));
        fields.Set(static_cast<uint32_t>(c), f);
    }
    Napi::Array rows = Napi::Array::New(env, static_cast<size_t>(nrows));
    for (int r = 0; r < nrows; r++) {
        if (mode == Int8Mode::Text) {
            Napi::Array row = Napi::Array::New(env, static_cast<size_t>(ncols));
            for (int c = 0; c < ncols; c++)
                row.Set(static_cast<uint32_t>(c),
                        Cell(env, res, r, c, types[c], mode));
            rows.Set(static_cast<uint32_t>(r), row);
            continue;
        }
        Napi::Object row = Napi::Object::New(env);
        for (int c = 0; c < ncols; c++)
            row.Set(Napi::Value(env, names[c]),
                    Cell(env, res, r, c, types[c], mode));
        rows.Set(static_cast<uint32_t>(r), row);
    }
    Napi::Object out = Napi::Object::New(env);
    int64_t affected = lakebase_result_rows_affected(res);
    out.Set("command", CommandVerb(env, res));
    const char *tag = lakebase_result_command(res);
    out.Set("commandTag", tag ? Napi::String::New(env, tag) : env.Null());
    out.Set("rowCount", affected < 0 ? env.Null()
                                     : Napi::Number::New(
                                           env, static_cast<double>(affected)));
    out.Set("rows", rows);
    out.Set("fields", fields);
    return out;
}

} // namespace lbnode
