package lakebaseotel

import (
	"context"

	lakebase "github.com/lakebase-connector/lakebase-go"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Tracing returns the option that records every credential mint attempt and
// every connect of the handles made with it (pools, Credentials,
// Connectors, direct connections, a PoolSet's per-user pools) as a span of
// tp's tracer named ScopeName: the span's name, start and end times and
// attributes are the core's (SpanTable), server.port and
// http.response.status_code as integers; the kind is Client; a failed mint
// or connect has status Error with the failure's message (and error.type
// names its class), a successful one keeps status Unset as OpenTelemetry
// asks of instrumentation. The core runs mints and connects on its own
// threads, so each is a root span. It installs a span listener
// (lakebase.WithSpanListener): give the handle either this option or a
// listener of your own.
func Tracing(tp trace.TracerProvider) lakebase.Option {
	tracer := tp.Tracer(ScopeName)
	return lakebase.WithSpanListener(func(s lakebase.Span) { record(tracer, s) })
}

func record(tracer trace.Tracer, s lakebase.Span) {
	attrs := make([]attribute.KeyValue, len(s.Attributes))
	for i, a := range s.Attributes {
		if a.IsInt {
			attrs[i] = attribute.Int64(a.Key, a.Int)
		} else {
			attrs[i] = attribute.String(a.Key, a.Value)
		}
	}
	_, span := tracer.Start(context.Background(), s.Name,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithTimestamp(s.Start),
		trace.WithAttributes(attrs...))
	if s.Err != nil {
		span.SetStatus(codes.Error, s.Err.Error())
	}
	span.End(trace.WithTimestamp(s.End))
}
