package main

// The clock_skew_seconds knob: the workspace shows a clock that is off by
// that much in its Date header, so a client can be tested against a
// machine clock that disagrees with the workspace's (lakebase doctor's
// clock check).

import (
	"fmt"
	"net/http"
	"time"
)

// maxClockSkewSeconds bounds the knob to a day either way.
const maxClockSkewSeconds = 86400

func validateClockSkew(p *knobsPatch) error {
	if p.ClockSkew != nil && (*p.ClockSkew < -maxClockSkewSeconds || *p.ClockSkew > maxClockSkewSeconds) {
		return fmt.Errorf("clock_skew_seconds must be between -%d and %d", maxClockSkewSeconds, maxClockSkewSeconds)
	}
	return nil
}

func applyClockSkew(p *knobsPatch, k *knobs) {
	if p.ClockSkew != nil {
		k.ClockSkewSeconds = *p.ClockSkew
	}
}

// stampDate sets the Date header from the skewed clock (net/http keeps a
// Date the handler set).
func (ws *workspace) stampDate(w http.ResponseWriter) {
	skew := time.Duration(ws.st.currentKnobs().ClockSkewSeconds) * time.Second
	w.Header().Set("Date", time.Now().Add(skew).UTC().Format(http.TimeFormat))
}
