package lakebaseotel

import (
	"context"
	"strings"
	"testing"
	"time"

	lakebase "github.com/lakebase-connector/lakebase-go"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// A span as the base package delivers it becomes exactly one recorded
// span: the core's times to the nanosecond, its attributes typed, its
// failure as status Error with the message.
func TestRecordKeepsTheCoresTimesAttributesAndFailure(t *testing.T) {
	recorder := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	defer tp.Shutdown(context.Background())
	start := time.Unix(1700000000, 123456789)
	end := start.Add(7*time.Millisecond + 3)
	record(tp.Tracer(ScopeName), lakebase.Span{
		Name:  "lakebase.connect",
		Start: start,
		End:   end,
		Err:   &lakebase.Error{Code: lakebase.CodeLogin, Message: "the server refused the login"},
		Attributes: []lakebase.SpanAttribute{
			{Key: "server.port", Value: "5432", Int: 5432, IsInt: true},
			{Key: "error.type", Value: "ELOGIN"},
		},
	})
	spans := recorder.Ended()
	if len(spans) != 1 {
		t.Fatalf("%d spans recorded, want 1", len(spans))
	}
	s := spans[0]
	if s.Name() != "lakebase.connect" || !s.StartTime().Equal(start) || !s.EndTime().Equal(end) {
		t.Errorf("span %s from %v to %v, want lakebase.connect from %v to %v", s.Name(), s.StartTime(), s.EndTime(), start, end)
	}
	want := []attribute.KeyValue{attribute.Int64("server.port", 5432), attribute.String("error.type", "ELOGIN")}
	if got := s.Attributes(); len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("attributes %v, want %v", got, want)
	}
	if st := s.Status(); st.Code != codes.Error || !strings.Contains(st.Description, "the server refused the login") {
		t.Errorf("status %v %q, want Error with the message", st.Code, st.Description)
	}
}
