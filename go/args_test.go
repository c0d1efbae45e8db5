package lakebase

import (
	"database/sql"
	"math"
	"strings"
	"testing"
	"time"
)

type myInt int

func TestTextArgConvertsEveryGoType(t *testing.T) {
	s := "hello"
	var nilStr *string
	ts := time.Date(2026, 11, 23, 10, 20, 30, 123456789, time.FixedZone("X", 3600))
	cases := []struct {
		in   any
		want string
		null bool
	}{
		{nil, "", true},
		{"plain", "plain", false},
		{[]byte{0x01, 0xab}, `\x01ab`, false},
		{[]byte(nil), "", true},
		{true, "t", false},
		{false, "f", false},
		{42, "42", false},
		{int8(-8), "-8", false},
		{int64(math.MinInt64), "-9223372036854775808", false},
		{uint64(math.MaxUint64), "18446744073709551615", false},
		{myInt(7), "7", false},
		{1.5, "1.5", false},
		{float32(0.1), "0.1", false},
		{math.Inf(-1), "-Infinity", false},
		{math.NaN(), "NaN", false},
		{ts, "2026-11-23T10:20:30.123456789+01:00", false},
		{&s, "hello", false},
		{nilStr, "", true},
		{sql.NullString{String: "x", Valid: true}, "x", false},
		{sql.NullInt64{}, "", true},
		{(*sql.NullString)(nil), "", true},
	}
	for _, c := range cases {
		got, null, err := textArg(c.in)
		if err != nil || got != c.want || null != c.null {
			t.Errorf("textArg(%#v) = %q, null %v, err %v; want %q, null %v", c.in, got, null, err, c.want, c.null)
		}
	}
}

func TestTextArgRefusesUnsupportedTypes(t *testing.T) {
	for _, v := range []any{struct{}{}, []int{1}, map[string]int{}, make(chan int)} {
		if _, _, err := textArg(v); err == nil || !strings.Contains(err.Error(), "cannot send") {
			t.Errorf("textArg(%T) error = %v, want a refusal", v, err)
		}
	}
}

func TestParamsWithNulByteAreRefused(t *testing.T) {
	if _, err := newCParams([]any{"ok", "a\x00b"}); err == nil || !strings.Contains(err.Error(), "$2") {
		t.Fatalf("newCParams error = %v, want one naming $2", err)
	}
}

func TestParamsKeepNullsAsCNull(t *testing.T) {
	p, err := newCParams([]any{nil, "x"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.free()
	if p.n != 2 || p.values == nil {
		t.Fatalf("params = %+v", p)
	}
}
