package main

// The control API under /emulator/: stats, knobs, kill-connections, reset
// and identities. No authentication, so it answers loopback peers only.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math"
	"net"
	"net/http"
	"time"
)

// maxLatencyMS keeps a typo from hanging every client for hours.
const maxLatencyMS = 600000

type control struct {
	st    *state
	proxy *proxy
	api   *apiServer
	// pg is restarted by POST /emulator/restart-postgres.
	pg *cluster
	// identities is the static answer of GET /emulator/identities.
	identities map[string]any
}

// coldStartRequest is the cold_start knob as posted.
type coldStartRequest struct {
	Seconds *float64 `json:"seconds"`
	Mode    string   `json:"mode"`
}

// apiOutageRequest is the api_outage knob as posted.
type apiOutageRequest struct {
	Seconds    *float64 `json:"seconds"`
	Mode       string   `json:"mode"`
	Status     int      `json:"status"`
	RetryAfter int      `json:"retry_after"`
}

// partitionRequest is the partition knob as posted.
type partitionRequest struct {
	Seconds *float64 `json:"seconds"`
}

// knobsPatch is a partial knobs object: absent fields keep their value.
type knobsPatch struct {
	TTLSeconds      *int              `json:"ttl_seconds"`
	OAuthTTLSeconds *int              `json:"oauth_ttl_seconds"`
	LatencyMS       *int              `json:"latency_ms"`
	MintFailures    []mintFailure     `json:"mint_failures"`
	ColdStart       *coldStartRequest `json:"cold_start"`
	RejectLogins    *bool             `json:"reject_logins"`
	APIOutage       *apiOutageRequest `json:"api_outage"`
	Partition       *partitionRequest `json:"partition"`
	// HostileWorkspace: an object sets it; null (or {}) turns it off.
	HostileWorkspace json.RawMessage `json:"hostile_workspace"`
	HostileLogin     *string         `json:"hostile_login"`
	ClockSkew        *int            `json:"clock_skew_seconds"`
	// mint_requests.go
	ExpectMintRequest *mintExpectation `json:"expect_mint_request"`
}

func (c *control) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !isLoopback(r.RemoteAddr) {
		apiError(w, http.StatusForbidden, "PERMISSION_DENIED", "The control API answers loopback clients only.")
		return
	}
	if !bufferBody(w, r) {
		return
	}
	switch route := r.Method + " " + r.URL.Path; route {
	case "GET /emulator/stats":
		writeJSON(w, http.StatusOK, c.st.stats(c.proxy.openConnections()))
	case "GET /emulator/knobs":
		writeJSON(w, http.StatusOK, c.knobsView())
	case "POST /emulator/knobs":
		c.postKnobs(w, r)
	case "POST /emulator/kill-connections":
		n := c.proxy.killAll()
		c.st.count(func(k *counters) { k.killedConnections += int64(n) })
		log.Printf("control: killed %d proxied connections", n)
		writeJSON(w, http.StatusOK, map[string]int{"killed": n})
	case "POST /emulator/kill-backends":
		c.killBackends(w, r)
	case "POST /emulator/restart-postgres":
		began := time.Now()
		if err := c.pg.restart(); err != nil {
			log.Printf("control: restarting PostgreSQL: %v", err)
			apiError(w, http.StatusInternalServerError, "INTERNAL_ERROR", "restarting PostgreSQL failed; see the emulator log")
			return
		}
		log.Printf("control: restarted PostgreSQL")
		writeJSON(w, http.StatusOK, map[string]any{"restarted": true,
			"began_unix_ms": began.UnixMilli(), "ready_unix_ms": time.Now().UnixMilli()})
	case "POST /emulator/reset":
		c.st.reset()
		c.proxy.endColdStart()
		c.proxy.healPartition()
		c.api.endOutage()
		log.Printf("control: reset")
		writeJSON(w, http.StatusOK, c.knobsView())
	case "GET /emulator/mint-requests":
		writeJSON(w, http.StatusOK, map[string]any{"requests": c.st.mintLog.list()})
	case "GET /emulator/identities":
		writeJSON(w, http.StatusOK, c.identities)
	default:
		apiError(w, http.StatusNotFound, "ENDPOINT_NOT_FOUND", fmt.Sprintf("No control API for '%s'", route))
	}
}

func isLoopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// knobsView is the full knobs object plus the cold start in progress.
func (c *control) knobsView() map[string]any {
	k := c.st.currentKnobs()
	var cold any
	if cs := c.proxy.coldState(); cs != nil {
		cold = map[string]any{"mode": cs.Mode, "seconds": cs.Seconds,
			"until": cs.Until.UTC().Format(apiTimeLayout)}
	}
	var outage any
	if o := c.api.current(); o != nil {
		outage = map[string]any{"mode": o.Mode, "status": o.Status, "retry_after": o.RetryAfter,
			"seconds": o.Seconds, "until": o.Until.UTC().Format(apiTimeLayout)}
	}
	var partition any
	if left := c.proxy.partitionLeft(); left > 0 {
		partition = map[string]any{"seconds_left": left.Seconds()}
	}
	return map[string]any{
		"ttl_seconds":         k.TTLSeconds,
		"oauth_ttl_seconds":   k.OAuthTTLSeconds,
		"latency_ms":          k.LatencyMS,
		"mint_failures":       k.MintFailures,
		"cold_start":          cold,
		"reject_logins":       k.RejectLogins,
		"api_outage":          outage,
		"partition":           partition,
		"hostile_workspace":   k.HostileWorkspace,
		"hostile_login":       k.HostileLogin,
		"clock_skew_seconds":  k.ClockSkewSeconds,
		"expect_mint_request": c.st.mintLog.expectation(),
	}
}

// killBackends terminates randomly chosen client sessions on the server
// (pg_terminate_backend: the client gets FATAL 57P01), {"count": n}.
func (c *control) killBackends(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Count *int `json:"count"`
	}
	n := 1
	if data, _ := io.ReadAll(r.Body); len(bytes.TrimSpace(data)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil || (req.Count != nil && (*req.Count < 1 || *req.Count > 1000)) {
			apiError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "kill-backends: want {\"count\": 1..1000}")
			return
		}
		if req.Count != nil {
			n = *req.Count
		}
	}
	killed, err := c.pg.terminateBackends(n)
	if err != nil {
		log.Printf("control: terminating backends: %v", err)
		apiError(w, http.StatusInternalServerError, "INTERNAL_ERROR", "terminating backends failed; see the emulator log")
		return
	}
	c.st.count(func(k *counters) { k.killedBackends += int64(killed) })
	log.Printf("control: terminated %d backends", killed)
	writeJSON(w, http.StatusOK, map[string]int{"killed": killed})
}

func (c *control) postKnobs(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		apiError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", err.Error())
		return
	}
	var p knobsPatch
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		apiError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "knobs: "+err.Error())
		return
	}
	hostile, err := validateKnobs(&p)
	if err != nil {
		apiError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "knobs: "+err.Error())
		return
	}
	c.st.mu.Lock()
	k := &c.st.knobs
	if p.TTLSeconds != nil {
		k.TTLSeconds = *p.TTLSeconds
	}
	if p.OAuthTTLSeconds != nil {
		k.OAuthTTLSeconds = *p.OAuthTTLSeconds
	}
	if p.LatencyMS != nil {
		k.LatencyMS = *p.LatencyMS
	}
	if p.RejectLogins != nil {
		k.RejectLogins = *p.RejectLogins
	}
	k.MintFailures = append(k.MintFailures, p.MintFailures...)
	if p.HostileWorkspace != nil {
		k.HostileWorkspace = hostile
	}
	if p.HostileLogin != nil {
		k.HostileLogin = *p.HostileLogin
	}
	applyClockSkew(&p, k)
	c.st.mu.Unlock()
	if p.ColdStart != nil {
		c.proxy.startColdStart(p.ColdStart.Mode, *p.ColdStart.Seconds)
	}
	if o := p.APIOutage; o != nil {
		c.api.startOutage(apiOutage{Mode: o.Mode, Status: o.Status, RetryAfter: o.RetryAfter, Seconds: *o.Seconds})
	}
	if p.Partition != nil {
		c.proxy.startPartition(*p.Partition.Seconds)
	}
	c.applyMintExpectation(&p)
	log.Printf("control: knobs updated")
	writeJSON(w, http.StatusOK, c.knobsView())
}

// validateKnobs checks the whole patch before anything is applied, and
// fills defaults (count 1, a 1 s Retry-After on 429, mode "refuse", an
// outage answering 503). It returns the hostile_workspace setting (nil:
// off) when the patch has one.
func validateKnobs(p *knobsPatch) (*hostileWorkspace, error) {
	hostile, err := validateFaultKnobs(p)
	if err != nil {
		return nil, err
	}
	return hostile, validateBaseKnobs(p)
}

// validateFaultKnobs checks api_outage, partition and the hostile knobs.
func validateFaultKnobs(p *knobsPatch) (*hostileWorkspace, error) {
	if o := p.APIOutage; o != nil {
		if o.Seconds == nil || *o.Seconds < 0 || *o.Seconds > 3600 || math.IsNaN(*o.Seconds) {
			return nil, fmt.Errorf("api_outage.seconds must be between 0 and 3600")
		}
		if o.Mode == "" {
			o.Mode = "status"
		}
		switch o.Mode {
		case "status":
			if o.Status == 0 {
				o.Status = http.StatusServiceUnavailable
			}
			if o.Status != 429 && o.Status != 500 && o.Status != 502 && o.Status != 503 && o.Status != 504 {
				return nil, fmt.Errorf("api_outage.status must be 429, 500, 502, 503 or 504")
			}
			if o.Status == 429 && o.RetryAfter == 0 {
				o.RetryAfter = 1
			}
			if o.RetryAfter < 0 || o.RetryAfter > 3600 {
				return nil, fmt.Errorf("api_outage.retry_after must be between 0 and 3600")
			}
		case "refuse":
			if o.Status != 0 || o.RetryAfter != 0 {
				return nil, fmt.Errorf(`api_outage: mode "refuse" takes no status or retry_after`)
			}
		default:
			return nil, fmt.Errorf(`api_outage.mode must be "status" or "refuse"`)
		}
	}
	if pt := p.Partition; pt != nil {
		if pt.Seconds == nil || *pt.Seconds < 0 || *pt.Seconds > 3600 || math.IsNaN(*pt.Seconds) {
			return nil, fmt.Errorf("partition.seconds must be between 0 and 3600")
		}
	}
	if p.HostileLogin != nil {
		if err := validateHostileLogin(*p.HostileLogin); err != nil {
			return nil, err
		}
	}
	raw := bytes.TrimSpace(p.HostileWorkspace)
	if len(raw) == 0 || string(raw) == "null" || string(raw) == "{}" {
		return nil, nil
	}
	var h hostileWorkspace
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return nil, fmt.Errorf("hostile_workspace: %v", err)
	}
	if err := validateHostileWorkspace(&h); err != nil {
		return nil, err
	}
	return &h, nil
}

// validateBaseKnobs checks ttl, latency, the failure queue and cold_start.
func validateBaseKnobs(p *knobsPatch) error {
	if p.TTLSeconds != nil && *p.TTLSeconds < 1 {
		return fmt.Errorf("ttl_seconds must be >= 1")
	}
	if p.OAuthTTLSeconds != nil && *p.OAuthTTLSeconds < 1 {
		return fmt.Errorf("oauth_ttl_seconds must be >= 1")
	}
	if p.LatencyMS != nil && (*p.LatencyMS < 0 || *p.LatencyMS > maxLatencyMS) {
		return fmt.Errorf("latency_ms must be between 0 and %d", maxLatencyMS)
	}
	for i := range p.MintFailures {
		f := &p.MintFailures[i]
		if f.Count == 0 {
			f.Count = 1
		}
		if f.Count < 0 || f.RetryAfter < 0 {
			return fmt.Errorf("mint_failures[%d]: count and retry_after must not be negative", i)
		}
		switch {
		case f.Malformed && f.Status != 0:
			return fmt.Errorf("mint_failures[%d]: give either status or malformed", i)
		case f.Malformed:
		case f.Status == 429:
			if f.RetryAfter == 0 {
				f.RetryAfter = 1
			}
		case f.Status == 500, f.Status == 502, f.Status == 503, f.Status == 504:
		default:
			return fmt.Errorf("mint_failures[%d]: status must be 429, 500, 502, 503 or 504 (or malformed: true)", i)
		}
	}
	if err := validateClockSkew(p); err != nil {
		return err
	}
	if err := validateMintExpectation(p); err != nil {
		return err
	}
	if cs := p.ColdStart; cs != nil {
		if cs.Seconds == nil || *cs.Seconds < 0 || *cs.Seconds > 3600 ||
			math.IsNaN(*cs.Seconds) {
			return fmt.Errorf("cold_start.seconds must be between 0 and 3600")
		}
		if cs.Mode == "" {
			cs.Mode = "refuse"
		}
		if cs.Mode != "refuse" && cs.Mode != "57P03" && cs.Mode != "refuse_then_57P03" {
			return fmt.Errorf(`cold_start.mode must be "refuse", "57P03" or "refuse_then_57P03"`)
		}
	}
	return nil
}
