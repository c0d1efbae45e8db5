// The core's one table of metric and span names (lakebase_metric_at,
// lakebase_span_at) and its data points (lakebase_pool_metrics and its
// siblings) as JavaScript values, for lib/otel.js: the package keeps no
// name, kind, unit or mapping of its own.
#include "addon.h"

namespace lbnode {

namespace {

// The kind's name as lib/otel.js chooses the instrument by it.
const char *KindName(int kind) {
    switch (kind) {
    case LAKEBASE_METRIC_COUNTER: return "counter";
    case LAKEBASE_METRIC_UPDOWN_COUNTER: return "updowncounter";
    case LAKEBASE_METRIC_GAUGE: return "gauge";
    case LAKEBASE_METRIC_HISTOGRAM: return "histogram";
    default: return "unknown";
    }
}

// "a,b" -> ['a', 'b']; "" -> [].
Napi::Array Keys(Napi::Env env, const char *list) {
    Napi::Array out = Napi::Array::New(env);
    std::string s = list ? list : "";
    uint32_t n = 0;
    size_t start = 0;
    while (!s.empty() && start <= s.size()) {
        size_t comma = s.find(',', start);
        if (comma == std::string::npos)
            comma = s.size();
        out.Set(n++, s.substr(start, comma - start));
        start = comma + 1;
    }
    return out;
}

struct Collected {
    Napi::Env env;
    Napi::Array points;
    uint32_t count;
};

// One point, on the thread that called the collect function (the JS one).
void OnPoint(void *ud, const lakebase_metric_point *p) {
    auto *c = static_cast<Collected *>(ud);
    Napi::Env env = c->env;
    auto num = [&](double v) { return Napi::Number::New(env, v); };
    Napi::Object o = Napi::Object::New(env);
    o.Set("metric", num(static_cast<double>(p->metric)));
    o.Set("name", p->name);
    Napi::Object attributes = Napi::Object::New(env);
    for (size_t i = 0; i < p->attribute_count; i++)
        attributes.Set(p->attribute_keys[i], p->attribute_values[i]);
    o.Set("attributes", attributes);
    o.Set("value", num(p->value));
    if (p->bucket_count > 0) { // a histogram
        o.Set("count", num(static_cast<double>(p->count)));
        if (p->has_sum)
            o.Set("sum", num(p->sum));
        Napi::Array bounds = Napi::Array::New(env, p->bucket_count - 1);
        for (size_t i = 0; i + 1 < p->bucket_count; i++)
            bounds.Set(static_cast<uint32_t>(i), num(p->bounds[i]));
        Napi::Array counts = Napi::Array::New(env, p->bucket_count);
        for (size_t i = 0; i < p->bucket_count; i++)
            counts.Set(static_cast<uint32_t>(i),
                       num(static_cast<double>(p->bucket_counts[i])));
        o.Set("bounds", bounds);
        o.Set("bucketCounts", counts);
    }
    c->points.Set(c->count++, o);
}

} // namespace

Napi::Array CollectMetrics(Napi::Env env, const MetricCollect &collect) {
    Collected c{env, Napi::Array::New(env), 0};
    lakebase_error *err = nullptr;
    int rc = collect(OnPoint, &c, &err);
    if (rc != 0)
        ThrowTaken(env, err, rc);
    return c.points;
}

// metricTable() -> [{ name, kind, unit, description, attributes }] in the
// core's order (a point's `metric` indexes it).
Napi::Value MetricTable(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    Napi::Array out = Napi::Array::New(env);
    const char *name = nullptr, *unit = nullptr, *description = nullptr,
               *attributes = nullptr;
    int kind = 0;
    for (size_t i = 0; lakebase_metric_at(i, &name, &kind, &unit, &description,
                                          &attributes) == 0;
         i++) {
        Napi::Object m = Napi::Object::New(env);
        m.Set("name", name);
        m.Set("kind", KindName(kind));
        m.Set("unit", unit);
        m.Set("description", description);
        m.Set("attributes", Keys(env, attributes));
        out.Set(static_cast<uint32_t>(i), m);
    }
    return out;
}

// spanTable() -> [{ name, description, attributes }].
Napi::Value SpanTable(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    Napi::Array out = Napi::Array::New(env);
    const char *name = nullptr, *description = nullptr, *attributes = nullptr;
    for (size_t i = 0;
         lakebase_span_at(i, &name, &description, &attributes) == 0; i++) {
        Napi::Object s = Napi::Object::New(env);
        s.Set("name", name);
        s.Set("description", description);
        s.Set("attributes", Keys(env, attributes));
        out.Set(static_cast<uint32_t>(i), s);
    }
    return out;
}

} // namespace lbnode
