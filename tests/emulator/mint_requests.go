package main

// Mint requests as the workspace received them — who asked, for what, and
// the optional fields (ttl, group_name, claims) — for tests to assert on
// (GET /emulator/mint-requests), and the expect_mint_request knob: while
// set, a mint request whose optional fields differ is refused with 400, so
// the emulator itself checks that a client sends them.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
)

// maxMintRequests bounds the record (the oldest go first).
const maxMintRequests = 1000

type mintRequest struct {
	Role      string          `json:"role"`
	API       string          `json:"api"`      // "autoscaling" or "provisioned"
	Resource  string          `json:"resource"` // the endpoint, or the instance names
	TTL       string          `json:"ttl,omitempty"`
	GroupName string          `json:"group_name,omitempty"`
	Claims    json.RawMessage `json:"claims,omitempty"`
	Refused   string          `json:"refused,omitempty"` // why expect_mint_request refused it
}

// mintExpectation is the expect_mint_request knob: each field given must
// be sent exactly so ("" for ttl or group_name: must be absent).
type mintExpectation struct {
	TTL       *string         `json:"ttl,omitempty"`
	GroupName *string         `json:"group_name,omitempty"`
	Claims    json.RawMessage `json:"claims,omitempty"`
}

type mintLog struct {
	mu      sync.Mutex
	entries []mintRequest
	expect  *mintExpectation
}

func (l *mintLog) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = nil
	l.expect = nil
}

func (l *mintLog) list() []mintRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]mintRequest, len(l.entries))
	copy(out, l.entries)
	return out
}

func (l *mintLog) setExpectation(e *mintExpectation) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.expect = e
}

func (l *mintLog) expectation() *mintExpectation {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.expect
}

// sameJSON compares two JSON texts by value.
func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return bytes.Equal(a, b)
	}
	ax, _ := json.Marshal(x)
	by, _ := json.Marshal(y)
	return bytes.Equal(ax, by)
}

// mismatch says how req differs from the expectation, or "".
func (e *mintExpectation) mismatch(req *mintRequest) string {
	switch {
	case e.TTL != nil && *e.TTL != req.TTL:
		return fmt.Sprintf("ttl %q, expected %q", req.TTL, *e.TTL)
	case e.GroupName != nil && *e.GroupName != req.GroupName:
		return fmt.Sprintf("group_name %q, expected %q", req.GroupName, *e.GroupName)
	case len(e.Claims) > 0 && (len(req.Claims) == 0 || !sameJSON(e.Claims, req.Claims)):
		return fmt.Sprintf("claims %s, expected %s", req.Claims, e.Claims)
	}
	return ""
}

// checkMintRequest records a mint request and, when the expect knob is
// set and the request differs, answers 400 and returns false.
func (ws *workspace) checkMintRequest(w http.ResponseWriter, id *identity, api, resource string,
	fields map[string]json.RawMessage) bool {
	req := mintRequest{Role: id.Role, API: api, Resource: resource, Claims: fields["claims"]}
	req.TTL, _, _ = optionalString(fields, "ttl")
	req.GroupName, _, _ = optionalString(fields, "group_name")
	l := &ws.st.mintLog
	if e := l.expectation(); e != nil {
		req.Refused = e.mismatch(&req)
	}
	l.mu.Lock()
	l.entries = append(l.entries, req)
	if len(l.entries) > maxMintRequests {
		l.entries = l.entries[len(l.entries)-maxMintRequests:]
	}
	l.mu.Unlock()
	if req.Refused != "" {
		apiError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE",
			"The emulator expected other mint request fields: "+req.Refused+".")
		return false
	}
	return true
}

func validateMintExpectation(p *knobsPatch) error {
	if e := p.ExpectMintRequest; e != nil && len(e.Claims) > 0 && !validClaims(e.Claims) {
		return fmt.Errorf("expect_mint_request.claims must be a valid claims array")
	}
	return nil
}

// applyMintExpectation sets the knob; an empty object clears it.
func (c *control) applyMintExpectation(p *knobsPatch) {
	e := p.ExpectMintRequest
	if e == nil {
		return
	}
	if e.TTL == nil && e.GroupName == nil && len(e.Claims) == 0 {
		e = nil
	}
	c.st.mintLog.setExpectation(e)
}
