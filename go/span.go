package lakebase

/*
#include <lakebase.h>
*/
import "C"

import (
	"time"
	"unsafe"
)

// Span is one finished credential mint attempt or connect, as the core
// reports it to a span listener (WithSpanListener). Name is one of
// SpanTable's names ("lakebase.credential.mint", "lakebase.connect"); its
// Attributes are the keys the table lists for it, following
// OpenTelemetry's conventions (server.address, server.port, db.namespace,
// http.response.status_code, error.type, ...), never SQL text, a token or
// a secret.
type Span struct {
	Name string
	// Start and End are wall-clock times; End is Start plus the core's
	// monotonic duration, so never before it.
	Start, End time.Time
	// Err is nil when the mint or connect succeeded; else an *Error with
	// the failure's Code and Message, so errors.Is(span.Err, ErrLogin)
	// works as it does for the call that failed.
	Err        error
	Attributes []SpanAttribute
}

// SpanAttribute is one attribute of a Span. Value is its text; when IsInt
// (server.port, http.response.status_code), Int holds the same value as an
// integer.
type SpanAttribute struct {
	Key   string
	Value string
	Int   int64
	IsInt bool
}

//export lbGoSpan
func lbGoSpan(userdata unsafe.Pointer, cs *C.lakebase_span) {
	h := hooksOf(userdata)
	if h.spans == nil {
		return
	}
	s := Span{
		Name:  C.GoString(cs.name),
		Start: time.Unix(0, int64(cs.start_unix_nanos)),
		End:   time.Unix(0, int64(cs.end_unix_nanos)),
	}
	if cs.error_code != 0 {
		s.Err = &Error{Code: Code(cs.error_code), Message: C.GoString(cs.error_message)}
	}
	if n := int(cs.attribute_count); n > 0 {
		keys := unsafe.Slice(cs.attribute_keys, n)
		values := unsafe.Slice(cs.attribute_values, n)
		isInt := unsafe.Slice(cs.attribute_is_int, n)
		ints := unsafe.Slice(cs.attribute_ints, n)
		s.Attributes = make([]SpanAttribute, n)
		for i := range s.Attributes {
			a := SpanAttribute{Key: C.GoString(keys[i]), Value: C.GoString(values[i])}
			if isInt[i] != 0 {
				a.Int, a.IsInt = int64(ints[i]), true
			}
			s.Attributes[i] = a
		}
	}
	h.spans(s)
}
