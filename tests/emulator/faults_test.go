package main

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"
)

// control calls the control API on its own listener.
func (in *instance) control(t *testing.T, method, path, body string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, in.env["EMULATOR_CONTROL_URL"]+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	return in.do(t, req)
}

func TestControlAPIHasAListenerOfItsOwn(t *testing.T) {
	in := fresh(t)
	cu, err := url.Parse(in.env["EMULATOR_CONTROL_URL"])
	if err != nil || cu.Scheme != "https" || cu.Host == "" {
		t.Fatalf("EMULATOR_CONTROL_URL = %q", in.env["EMULATOR_CONTROL_URL"])
	}
	if cu.Host == strings.TrimPrefix(in.env["EMULATOR_URL"], "https://") {
		t.Fatalf("the control API shares the workspace's listener %s", cu.Host)
	}
	if r := in.control(t, "GET", "/emulator/stats", ""); r.status != 200 {
		t.Fatalf("stats on the control listener: %d %s", r.status, r.body)
	}
	// It serves the control API only.
	if r := in.control(t, "GET", "/api/2.0/preview/scim/v2/Me", ""); r.status != 404 {
		t.Fatalf("a workspace path on the control listener answered %d", r.status)
	}
}

func TestAPIOutageAnswersEveryWorkspaceCallUntilItEnds(t *testing.T) {
	in := fresh(t)
	tok := in.env["EMULATOR_USER_TOKEN"]
	k := in.setKnobs(t, `{"api_outage": {"seconds": 2, "status": 429, "retry_after": 3}}`)
	if o, _ := k["api_outage"].(map[string]any); o["mode"] != "status" || o["status"] != float64(429) {
		t.Fatalf("api_outage knob = %v", k["api_outage"])
	}
	r := in.call(t, "GET", "/api/2.0/preview/scim/v2/Me", tok, nil)
	wantAPIError(t, r, 429, "REQUEST_LIMIT_EXCEEDED")
	if r.header.Get("Retry-After") != "3" {
		t.Fatalf("Retry-After = %q, want 3", r.header.Get("Retry-After"))
	}
	if r := in.call(t, "GET", "/oidc/.well-known/oauth-authorization-server", "", nil); r.status != 429 {
		t.Fatalf("discovery during the outage answered %d", r.status)
	}
	if s := in.stats(t); s.Faults.APIOutageAnswers != 2 || s.Mints.Failed != 0 {
		t.Fatalf("faults %+v mints %+v, want 2 outage answers and no mint failure", s.Faults, s.Mints)
	}
	eventually(t, 10*time.Second, "the outage to end", func() bool {
		return in.call(t, "GET", "/api/2.0/preview/scim/v2/Me", tok, nil).status == 200
	})
	if k := in.call(t, "GET", "/emulator/knobs", "", nil).json(t); k["api_outage"] != nil {
		t.Fatalf("api_outage after its end: %v", k["api_outage"])
	}
	// 503 is the default answer; seconds 0 ends an outage early.
	in.setKnobs(t, `{"api_outage": {"seconds": 600}}`)
	wantAPIError(t, in.call(t, "GET", "/api/2.0/preview/scim/v2/Me", tok, nil), 503, "TEMPORARILY_UNAVAILABLE")
	in.setKnobs(t, `{"api_outage": {"seconds": 0}}`)
	if r := in.call(t, "GET", "/api/2.0/preview/scim/v2/Me", tok, nil); r.status != 200 {
		t.Fatalf("after ending the outage: %d", r.status)
	}
}

func TestAPIOutageRefuseClosesTheWorkspaceButNotTheControlAPI(t *testing.T) {
	in := fresh(t)
	tok := in.env["EMULATOR_USER_TOKEN"]
	addr := strings.TrimPrefix(in.env["EMULATOR_URL"], "https://")
	// A kept-alive connection to the workspace exists before the outage.
	in.call(t, "GET", "/api/2.0/preview/scim/v2/Me", tok, nil)
	in.control(t, "POST", "/emulator/knobs", `{"api_outage": {"seconds": 2, "mode": "refuse"}}`)
	_, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial during a refuse outage: %v, want connection refused", err)
	}
	req, _ := http.NewRequest("GET", in.env["EMULATOR_URL"]+"/api/2.0/preview/scim/v2/Me", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	if resp, err := in.client.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("a request during a refuse outage got HTTP %d", resp.StatusCode)
	}
	if r := in.control(t, "GET", "/emulator/knobs", ""); r.status != 200 {
		t.Fatalf("the control API during the outage: %d", r.status)
	} else if o, _ := r.json(t)["api_outage"].(map[string]any); o["mode"] != "refuse" {
		t.Fatalf("api_outage knob = %v", o)
	}
	eventually(t, 10*time.Second, "the workspace to listen again", func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	if r := in.call(t, "GET", "/api/2.0/preview/scim/v2/Me", tok, nil); r.status != 200 {
		t.Fatalf("after the outage: %d", r.status)
	}
}

func TestPartitionHoldsTrafficUntilItHeals(t *testing.T) {
	in := fresh(t)
	sp := in.env["DATABRICKS_CLIENT_ID"]
	cred := in.mint(t, in.sp1Token(t))
	c := in.mustLogin(t, sp, cred)
	defer c.Close()
	in.setKnobs(t, `{"partition": {"seconds": 1.5}}`)
	if k := in.call(t, "GET", "/emulator/knobs", "", nil).json(t); k["partition"] == nil {
		t.Fatalf("partition knob not shown: %v", k)
	}
	start := time.Now()
	// A new connection is accepted but not answered while it lasts.
	raw, err := net.DialTimeout("tcp", in.proxyAddr(), 2*time.Second)
	if err != nil {
		t.Fatalf("dial during a partition: %v", err)
	}
	defer raw.Close()
	if _, err := raw.Write(startupPacket(sslRequestCode, nil)); err != nil {
		t.Fatal(err)
	}
	_ = raw.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	var one [1]byte
	if _, err := raw.Read(one[:]); err == nil {
		t.Fatalf("the proxy answered %q during a partition", one[0])
	}
	// A query on an open session waits for the partition to heal.
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Query("SELECT 1"); err != nil {
		t.Fatalf("query across the partition: %v", err)
	}
	if d := time.Since(start); d < 1200*time.Millisecond {
		t.Fatalf("the query answered after %v, inside the 1.5 s partition", d)
	}
	if s := in.stats(t); s.Faults.PartitionStalls < 1 {
		t.Fatalf("partition_stalls = %d", s.Faults.PartitionStalls)
	}
	// seconds 0 heals at once.
	in.setKnobs(t, `{"partition": {"seconds": 600}}`)
	in.setKnobs(t, `{"partition": {"seconds": 0}}`)
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Query("SELECT 1"); err != nil {
		t.Fatalf("query after healing: %v", err)
	}
}

func TestKillBackendsTerminatesRandomSessions(t *testing.T) {
	in := fresh(t)
	sp := in.env["DATABRICKS_CLIENT_ID"]
	cred := in.mint(t, in.sp1Token(t))
	var conns []*pgConn
	for i := 0; i < 3; i++ {
		c := in.mustLogin(t, sp, cred)
		defer c.Close()
		conns = append(conns, c)
	}
	r := in.call(t, "POST", "/emulator/kill-backends", "", `{"count": 2}`).json(t)
	if r["killed"] != float64(2) {
		t.Fatalf("kill-backends = %v, want killed 2", r)
	}
	failed := 0
	for _, c := range conns {
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Query("SELECT 1"); err != nil {
			failed++
			var pe *pgError
			if errors.As(err, &pe) && pe.Code != "57P01" {
				t.Errorf("a killed session reported %v, want 57P01", pe)
			}
		}
	}
	if failed != 2 {
		t.Fatalf("%d sessions failed after killing 2", failed)
	}
	if s := in.stats(t); s.KilledBackends != 2 {
		t.Fatalf("killed_backends = %d", s.KilledBackends)
	}
	for _, bad := range []string{`{"count": 0}`, `{"count": "2"}`, `{"n": 1}`} {
		if r := in.call(t, "POST", "/emulator/kill-backends", "", bad); r.status != 400 {
			t.Fatalf("kill-backends %s answered %d", bad, r.status)
		}
	}
}

func TestColdStartRefuseThen57P03(t *testing.T) {
	in := fresh(t)
	sp := in.env["DATABRICKS_CLIENT_ID"]
	cred := in.mint(t, in.sp1Token(t))
	start := time.Now()
	in.setKnobs(t, `{"cold_start": {"seconds": 2, "mode": "refuse_then_57P03"}}`)
	if _, err := net.DialTimeout("tcp", in.proxyAddr(), time.Second); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial in the first half: %v, want connection refused", err)
	}
	saw57P03 := false
	var c *pgConn
	eventually(t, 10*time.Second, "the cold start to end", func() bool {
		var err error
		c, err = in.login(sp, cred)
		var pe *pgError
		if errors.As(err, &pe) && pe.Code == "57P03" {
			saw57P03 = true
		}
		return err == nil
	})
	defer c.Close()
	if !saw57P03 {
		t.Fatal("the second half never answered 57P03")
	}
	if d := time.Since(start); d < 1800*time.Millisecond {
		t.Fatalf("logins accepted after %v, before the 2 s cold start ended", d)
	}
}
