package lakebaseotel_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	lakebase "github.com/lakebase-connector/lakebase-go"
	"github.com/lakebase-connector/lakebase-go/internal/emulator"
	"github.com/lakebase-connector/lakebase-go/lakebaseotel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// An in-memory pipeline: a tracer provider recording every ended span.
func newRecorder(t *testing.T) (*tracetest.SpanRecorder, *sdktrace.TracerProvider) {
	t.Helper()
	recorder := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	return recorder, tp
}

func attr(s sdktrace.ReadOnlySpan, key string) (attribute.Value, bool) {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

func describe(spans []sdktrace.ReadOnlySpan) string {
	var b strings.Builder
	for _, s := range spans {
		b.WriteString("\n  " + s.Name() + " " + s.Status().Code.String() + " " + s.Status().Description)
		for _, kv := range s.Attributes() {
			b.WriteString(" " + string(kv.Key) + "=" + kv.Value.Emit())
		}
	}
	return b.String()
}

// Every recorded span is named and attributed as the core's table says,
// from the package's tracer, a client span that ends after it starts.
func checkAgainstTheTable(t *testing.T, spans []sdktrace.ReadOnlySpan) {
	t.Helper()
	keys := map[string]map[string]bool{}
	for _, d := range lakebaseotel.SpanTable() {
		keys[d.Name] = map[string]bool{}
		for _, k := range d.Attributes {
			keys[d.Name][k] = true
		}
	}
	for _, s := range spans {
		known, ok := keys[s.Name()]
		if !ok {
			t.Errorf("span %s is not in the core's table", s.Name())
			continue
		}
		for _, kv := range s.Attributes() {
			if !known[string(kv.Key)] {
				t.Errorf("span %s carries %s, which the table does not list for it", s.Name(), kv.Key)
			}
		}
		if s.SpanKind() != trace.SpanKindClient {
			t.Errorf("span %s is of kind %v, want client", s.Name(), s.SpanKind())
		}
		if s.InstrumentationScope().Name != lakebaseotel.ScopeName {
			t.Errorf("span %s from tracer %q", s.Name(), s.InstrumentationScope().Name)
		}
		if s.StartTime().IsZero() || s.EndTime().Before(s.StartTime()) {
			t.Errorf("span %s from %v to %v", s.Name(), s.StartTime(), s.EndTime())
		}
	}
}

func TestOpeningAPoolRecordsAMintAndAConnectSpan(t *testing.T) {
	emulator.Reset(t, emulator.Require(t), "")
	recorder, tp := newRecorder(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// A fresh credential: a pool's credential provider is shared and may
	// hold one minted by an earlier test.
	creds, err := lakebase.NewCredentials(emulatorConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer creds.Close()
	if err := creds.Invalidate(""); err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	pool, err := lakebase.Open(ctx, emulatorConfig(t), lakebaseotel.Tracing(tp))
	if err != nil {
		t.Fatal(err)
	}
	pool.Close()
	after := time.Now()

	spans := recorder.Ended()
	checkAgainstTheTable(t, spans)
	var mints, connects int
	for _, s := range spans {
		if s.Status().Code != codes.Unset {
			t.Errorf("span %s has status %v %q", s.Name(), s.Status().Code, s.Status().Description)
		}
		if s.StartTime().Before(before.Add(-time.Millisecond)) || s.EndTime().After(after.Add(time.Millisecond)) {
			t.Errorf("span %s from %v to %v, outside the open (%v to %v)", s.Name(), s.StartTime(), s.EndTime(), before, after)
		}
		switch s.Name() {
		case "lakebase.credential.mint":
			mints++
			if v, ok := attr(s, "http.response.status_code"); !ok || v.Type() != attribute.INT64 || v.AsInt64() != 200 {
				t.Errorf("mint http.response.status_code = %v (%v), want the int 200", v.Emit(), v.Type())
			}
		case "lakebase.connect":
			connects++
			if v, ok := attr(s, "server.port"); !ok || v.Type() != attribute.INT64 || v.AsInt64() <= 0 {
				t.Errorf("connect server.port = %v (%v), want an int", v.Emit(), v.Type())
			}
			if v, _ := attr(s, "db.system.name"); v.AsString() != "postgresql" {
				t.Errorf("connect db.system.name = %q", v.Emit())
			}
		}
	}
	if mints < 1 || connects < 1 {
		t.Fatalf("want a mint and a connect span, got:%s", describe(spans))
	}
}

func TestARefusedLoginRecordsAFailedConnectSpan(t *testing.T) {
	emulator.Reset(t, emulator.Require(t), `{"reject_logins": true}`)
	recorder, tp := newRecorder(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pool, err := lakebase.Open(ctx, emulatorConfig(t), lakebaseotel.Tracing(tp))
	if !errors.Is(err, lakebase.ErrLogin) {
		if err == nil {
			pool.Close()
		}
		t.Fatalf("Open = %v, want ErrLogin", err)
	}
	spans := recorder.Ended()
	checkAgainstTheTable(t, spans)
	for _, s := range spans {
		errType, _ := attr(s, "error.type")
		state, _ := attr(s, "db.response.status_code")
		if s.Name() == "lakebase.connect" && s.Status().Code == codes.Error &&
			s.Status().Description != "" && errType.AsString() == "ELOGIN" && state.AsString() == "28P01" {
			return
		}
	}
	t.Fatalf("no connect span with status Error, error.type ELOGIN and SQLSTATE 28P01:%s", describe(spans))
}
