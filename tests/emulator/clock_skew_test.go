package main

import (
	"net/http"
	"testing"
	"time"
)

func TestClockSkewShiftsTheWorkspaceDateAndResets(t *testing.T) {
	in := fresh(t)
	dateOffset := func() time.Duration {
		r := in.call(t, "GET", "/oidc/.well-known/oauth-authorization-server", "", nil)
		at, err := http.ParseTime(r.header.Get("Date"))
		if err != nil {
			t.Fatalf("Date header %q: %v", r.header.Get("Date"), err)
		}
		return time.Until(at)
	}
	if off := dateOffset(); off < -2*time.Second || off > 2*time.Second {
		t.Fatalf("without the knob the Date header is %v off", off)
	}
	if k := in.setKnobs(t, `{"clock_skew_seconds": -600}`); k["clock_skew_seconds"] != float64(-600) {
		t.Fatalf("knobs = %v", k)
	}
	if off := dateOffset(); off > -598*time.Second || off < -602*time.Second {
		t.Fatalf("with a -600 s skew the Date header is %v off", off)
	}
	for _, bad := range []string{`{"clock_skew_seconds": 86401}`, `{"clock_skew_seconds": "1"}`} {
		if r := in.call(t, "POST", "/emulator/knobs", "", bad); r.status != 400 {
			t.Fatalf("knobs %s accepted (%d)", bad, r.status)
		}
	}
	in.call(t, "POST", "/emulator/reset", "", nil)
	if off := dateOffset(); off < -2*time.Second || off > 2*time.Second {
		t.Fatalf("after reset the Date header is %v off", off)
	}
}
