package conformance

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	lakebase "github.com/lakebase-connector/lakebase-go"
)

func (sc *scenario) opStats(step map[string]any) error { return sc.checkStats(step) }

func (sc *scenario) opWaitFor(step map[string]any) error {
	timeout := waitForDefault
	if t, ok := step["timeout_ms"].(json.Number); ok {
		ms, _ := t.Float64()
		timeout = time.Duration(ms) * time.Millisecond
	}
	deadline := time.Now().Add(timeout)
	for {
		err := sc.checkStats(step)
		if err == nil {
			return nil
		}
		if !time.Now().Before(deadline) {
			return fmt.Errorf("still not true after %d ms: %v", timeout.Milliseconds(), err)
		}
		time.Sleep(waitForPoll)
	}
}

func (sc *scenario) checkStats(step map[string]any) error {
	emu, hasEmu := step["emulator"]
	prov, hasProv := step["provider"]
	pool, hasPool := step["pool"]
	if !hasEmu && !hasProv && !hasPool {
		return errors.New(`"emulator", "provider" or "pool" expectations are required`)
	}
	if hasEmu {
		want, ok := emu.(map[string]any)
		if !ok {
			return errors.New(`"emulator" must be an object`)
		}
		actual, err := sc.r.Control.GetJSON("/emulator/stats")
		if err != nil {
			return err
		}
		if err := sc.matchAll("emulator", want, actual, ""); err != nil {
			return err
		}
	}
	if hasProv {
		if err := sc.checkProviderStats(prov); err != nil {
			return err
		}
	}
	if hasPool {
		return sc.checkPoolStats(pool)
	}
	return nil
}

// providerStats are the provider's counters named as in the README.
func (sc *scenario) providerStats(slot *providerSlot) (map[string]any, error) {
	st, err := slot.creds.Stats()
	if err != nil {
		return nil, fmt.Errorf("credentials stats: %v", describe(err))
	}
	return credentialStatsJSON(st), nil
}

// credentialStatsJSON names a provider's counters as the README does.
func credentialStatsJSON(st lakebase.CredentialStats) map[string]any {
	return map[string]any{
		"mints_ok":               float64(st.MintsOK),
		"mints_failed":           float64(st.MintsFailed),
		"degraded":               !st.DegradedSince.IsZero(),
		"cached":                 !st.ExpireTime.IsZero(),
		"last_error":             st.LastErrorCode.String(),
		"last_error_http_status": float64(st.LastErrorHTTPStatus),
	}
}

func (sc *scenario) checkProviderStats(prov any) error {
	list, isList := prov.([]any)
	if !isList {
		list = []any{prov}
	}
	for _, item := range list {
		want, _ := item.(map[string]any)
		id, _ := want["id"].(string)
		slot := sc.providers[id]
		if slot == nil || slot.creds == nil {
			return errors.New(`provider stats need the "id" of an open provider`)
		}
		if err := checkKeys(want, "id,mints_ok,mints_failed,degraded,cached,last_error,last_error_http_status",
			"provider stats"); err != nil {
			return err
		}
		actual, err := sc.providerStats(slot)
		if err != nil {
			return err
		}
		if err := sc.matchAll("provider "+id, want, actual, "id"); err != nil {
			return err
		}
	}
	return nil
}

func (sc *scenario) matchAll(where string, want map[string]any, actual any, skip string) error {
	for _, path := range sortedKeys(want) {
		if path == skip {
			continue
		}
		if err := sc.matchValue(where, path, want[path], atPath(actual, path)); err != nil {
			return err
		}
	}
	return nil
}

// atPath is the value at a dot path ("logins.refused.expired"), or nil.
func atPath(root any, path string) any {
	node := root
	for _, key := range strings.Split(path, ".") {
		obj, ok := node.(map[string]any)
		if !ok {
			return nil
		}
		node = obj[key]
	}
	return node
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

func show(v any) string {
	if v == nil {
		return "missing"
	}
	data, _ := json.Marshal(v)
	return string(data)
}

// matchValue compares one counter: a number (exact), {"min": a, "max": b},
// a boolean or a string.
func (sc *scenario) matchValue(where, path string, want, got any) error {
	ok := false
	switch w := want.(type) {
	case json.Number:
		wf, _ := w.Float64()
		gf, isNum := number(got)
		ok = isNum && gf == wf
	case bool:
		g, isBool := got.(bool)
		ok = isBool && g == w
	case string:
		s, err := sc.r.Env.Expand(w)
		if err != nil {
			return err
		}
		g, isStr := got.(string)
		ok = isStr && g == s
	case map[string]any:
		if err := checkKeys(w, "min,max", path); err != nil {
			return err
		}
		gf, isNum := number(got)
		ok = isNum
		if lo, has := number(w["min"]); has && gf < lo {
			ok = false
		}
		if hi, has := number(w["max"]); has && gf > hi {
			ok = false
		}
	default:
		return fmt.Errorf("%s %s: unsupported expectation %s", where, path, show(want))
	}
	if !ok {
		return fmt.Errorf("%s %s is %s, expected %s", where, path, show(got), show(want))
	}
	return nil
}
