package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	lakebase "github.com/lakebase-connector/lakebase-go"
)

const (
	maxThreads     = 1000
	waitForDefault = 10 * time.Second
	waitForPoll    = 100 * time.Millisecond
)

type providerSlot struct {
	creds  *lakebase.Credentials // nil once the step `free` ran
	latest *lakebase.Credential  // the last credential a get returned
}

type scenario struct {
	r         *Runner
	providers map[string]*providerSlot
	saved     map[string]string
	pool      *pools // created by the first pool step
}

func newScenario(r *Runner) *scenario {
	return &scenario{r: r, providers: map[string]*providerSlot{}, saved: map[string]string{}}
}

// clear frees every provider handle so no cache survives the scenario.
func (sc *scenario) clear() {
	sc.clearPools()
	for _, p := range sc.providers {
		if p.creds != nil {
			p.creds.Close()
		}
	}
}

type opFunc func(sc *scenario, step map[string]any) error

var ops = map[string]struct {
	run  opFunc
	keys string // besides "op" and "comment"
}{
	"reset":      {(*scenario).opReset, ""},
	"knobs":      {(*scenario).opKnobs, "knobs"},
	"provider":   {(*scenario).opProvider, "id,config,expect"},
	"get":        {(*scenario).opGet, "provider,threads,expect,save_token,same_token_across_threads"},
	"open":       {(*scenario).opOpen, "provider,threads,expect"},
	"invalidate": {(*scenario).opInvalidate, "provider,token,expect"},
	"free":       {(*scenario).opFree, "provider"},
	"login":      {(*scenario).opLogin, "provider,host,port,user,password,database,sslmode,expect"},
	"sleep":      {(*scenario).opSleep, "ms"},
	"stats":      {(*scenario).opStats, "emulator,provider,pool"},
	"wait_for":   {(*scenario).opWaitFor, "emulator,provider,pool,timeout_ms"},

	"emulator_kill_connections": {(*scenario).opKillConnections, ""},
	"emulator_restart_postgres": {(*scenario).opRestartPostgres, ""},

	"pool":            {(*scenario).opPool, "id,config,expect"},
	"pool_open":       {(*scenario).opPoolOpen, "pool,wait,within_ms,expect"},
	"pool_query":      {(*scenario).opPoolQuery, "pool,sql,params,threads,repeat,expect"},
	"pool_close":      {(*scenario).opPoolClose, "pool,cancel_inflight,within_ms,expect"},
	"pool_load_start": {(*scenario).opPoolLoadStart, "id,pool,threads,sql,params"},
	"pool_load_stop":  {(*scenario).opPoolLoadStop, "load,expect"},
	"conn_acquire":    {(*scenario).opConnAcquire, "id,pool,expect"},
	"conn_query":      {(*scenario).opConnQuery, "conn,sql,params,background,release_after,expect"},
	"conn_wait":       {(*scenario).opConnWait, "conn,expect"},
	"conn_cancel":     {(*scenario).opConnCancel, "conn,expect"},
	"conn_release":    {(*scenario).opConnRelease, "conn"},
}

func (sc *scenario) runStep(step map[string]any) error {
	op, _ := step["op"].(string)
	o, ok := ops[op]
	if !ok {
		if op == "" {
			op = "(none)"
		}
		return fmt.Errorf("unknown op %q", op)
	}
	allowed := "op,comment"
	if o.keys != "" {
		allowed += "," + o.keys
	}
	if err := checkKeys(step, allowed, "the step"); err != nil {
		return err
	}
	return o.run(sc, step)
}

// text is a scenario value as a string: strings are expanded, numbers and
// booleans give their JSON text.
func (sc *scenario) text(v any, key string) (string, error) {
	switch x := v.(type) {
	case string:
		return sc.r.Env.Expand(x)
	case json.Number:
		return x.String(), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return "", fmt.Errorf("%q must be a string", key)
}

func (sc *scenario) stepProvider(step map[string]any, mustBeOpen bool) (*providerSlot, error) {
	id, _ := step["provider"].(string)
	slot := sc.providers[id]
	switch {
	case id == "":
		return nil, errors.New(`"provider" (an id) is required`)
	case slot == nil:
		return nil, fmt.Errorf("no provider with id %q", id)
	case mustBeOpen && slot.creds == nil:
		return nil, fmt.Errorf("provider %q was freed", id)
	}
	return slot, nil
}

// --- reset, knobs, sleep ---------------------------------------------------

func (sc *scenario) opReset(map[string]any) error {
	return sc.r.Control.Post("/emulator/reset", nil)
}

func (sc *scenario) postKnobs(knobs any) error {
	obj, ok := knobs.(map[string]any)
	if !ok {
		return errors.New(`"knobs" must be an object`)
	}
	body, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	return sc.r.Control.Post("/emulator/knobs", body)
}

func (sc *scenario) opKnobs(step map[string]any) error { return sc.postKnobs(step["knobs"]) }

func (sc *scenario) opSleep(step map[string]any) error {
	n, ok := step["ms"].(json.Number)
	ms, err := n.Float64()
	if !ok || err != nil || ms < 0 {
		return errors.New(`"ms" must be a number >= 0`)
	}
	time.Sleep(time.Duration(ms) * time.Millisecond)
	return nil
}

// --- provider, get, open, invalidate, free ----------------------------------

func (sc *scenario) opProvider(step map[string]any) error {
	id, _ := step["id"].(string)
	config, ok := step["config"].(map[string]any)
	if id == "" || !ok {
		return errors.New(`"id" (string) and "config" (object) are required`)
	}
	slot := sc.providers[id]
	if slot != nil && slot.creds != nil {
		return fmt.Errorf("provider %q already exists", id)
	}
	cfg, err := sc.config(config)
	if err != nil {
		return err
	}
	creds, err := lakebase.NewCredentials(cfg)
	if cerr := sc.checkOutcome(step["expect"], err, nil); cerr != nil {
		if creds != nil {
			creds.Close()
		}
		return cerr
	}
	if creds != nil {
		if slot == nil {
			slot = &providerSlot{}
			sc.providers[id] = slot
		}
		slot.creds = creds
	}
	return nil
}

// config is a scenario's configuration object. Only it applies, whatever
// the runner's environment holds; a JSON null leaves the key unset.
func (sc *scenario) config(config map[string]any) (lakebase.Config, error) {
	cfg := lakebase.Config{"config.use_environment": "false"}
	for k, v := range config {
		if v == nil {
			cfg.Unset(k)
			continue
		}
		s, err := sc.text(v, k)
		if err != nil {
			return nil, err
		}
		cfg.Set(k, s)
	}
	return cfg, nil
}

type callOutcome struct {
	err  error
	cred *lakebase.Credential // get only
}

// calls makes the call from `count` goroutines released together (or
// inline for one).
func calls(count int, call func() callOutcome) []callOutcome {
	out := make([]callOutcome, count)
	if count == 1 {
		out[0] = call()
		return out
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range out {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			out[i] = call()
		}(i)
	}
	close(start)
	wg.Wait()
	return out
}

func (sc *scenario) getOrOpen(step map[string]any, open bool) error {
	slot, err := sc.stepProvider(step, true)
	if err != nil {
		return err
	}
	count := 1
	if t, ok := step["threads"]; ok {
		n, isNum := t.(json.Number)
		c, err := n.Int64()
		if !isNum || err != nil || c < 1 || c > maxThreads {
			return fmt.Errorf(`"threads" must be 1..%d`, maxThreads)
		}
		count = int(c)
	}
	results := calls(count, func() callOutcome {
		if open {
			return callOutcome{err: slot.creds.Open(context.Background())}
		}
		cred, err := slot.creds.Get(context.Background())
		if err != nil {
			return callOutcome{err: err}
		}
		return callOutcome{cred: &cred}
	})
	first := -1
	for i, o := range results {
		if err := sc.checkOutcome(step["expect"], o.err, o.cred); err != nil {
			if count > 1 {
				return fmt.Errorf("thread %d of %d: %v", i+1, count, err)
			}
			return err
		}
		if o.cred != nil && first < 0 {
			first = i
		}
	}
	if same, _ := step["same_token_across_threads"].(bool); same && first >= 0 {
		for i, o := range results {
			if o.cred != nil && o.cred.Token != results[first].cred.Token {
				return fmt.Errorf("threads %d and %d got different tokens", first+1, i+1)
			}
		}
	}
	save, _ := step["save_token"].(string)
	if first < 0 {
		if save != "" {
			return fmt.Errorf("no token to save as %q", save)
		}
		return nil
	}
	if save != "" {
		sc.saved[save] = results[first].cred.Token
	}
	slot.latest = results[first].cred
	return nil
}

func (sc *scenario) opGet(step map[string]any) error  { return sc.getOrOpen(step, false) }
func (sc *scenario) opOpen(step map[string]any) error { return sc.getOrOpen(step, true) }

func (sc *scenario) opInvalidate(step map[string]any) error {
	slot, err := sc.stepProvider(step, true)
	if err != nil {
		return err
	}
	token := ""
	if name, ok := step["token"].(string); ok {
		if token, ok = sc.saved[name]; !ok {
			return fmt.Errorf("no saved token %q", name)
		}
	}
	return sc.checkOutcome(step["expect"], slot.creds.Invalidate(token), nil)
}

func (sc *scenario) opFree(step map[string]any) error {
	slot, err := sc.stepProvider(step, true)
	if err != nil {
		return err
	}
	slot.creds.Close()
	slot.creds = nil
	return nil
}

// --- expectations on a call --------------------------------------------------

const expectCallKeys = "ok,error,api_code,http_status,message_contains,message_not_contains," +
	"user,host,port,database,sslmode,same_token_as,different_token_from,sqlstate"

func describe(err error) string {
	if err == nil {
		return "success"
	}
	var e *lakebase.Error
	if errors.As(err, &e) {
		return fmt.Sprintf("%s (HTTP %d, api_code %q): %s", e.Code, e.HTTPStatus, e.APICode, e.Message)
	}
	return err.Error()
}

// checkOutcome checks a call's result against `expect` (absent: ok).
func (sc *scenario) checkOutcome(expectV any, callErr error, cred *lakebase.Credential) error {
	return sc.checkOutcomeKeys(expectV, "", callErr, cred)
}

// checkOutcomeKeys is checkOutcome allowing more expect keys (checked by
// the caller).
func (sc *scenario) checkOutcomeKeys(expectV any, extraKeys string, callErr error, cred *lakebase.Credential) error {
	expect, _ := expectV.(map[string]any)
	if expectV != nil {
		if expect == nil {
			return errors.New(`"expect" must be an object`)
		}
		allowed := expectCallKeys
		if extraKeys != "" {
			allowed += "," + extraKeys
		}
		if err := checkKeys(expect, allowed, "expect"); err != nil {
			return err
		}
	}
	okV, hasOK := expect["ok"]
	wantErr, hasErr := expect["error"].(string)
	wantOK := expect == nil || okV == true || (!hasOK && !hasErr)
	got := describe(callErr)
	if wantOK {
		if callErr != nil {
			return fmt.Errorf("expected success, got %s", got)
		}
		if cred != nil {
			return sc.checkCredential(expect, cred)
		}
		return nil
	}
	if callErr == nil {
		if !hasErr {
			wantErr = "an error"
		}
		return fmt.Errorf("expected %s, got success", wantErr)
	}
	var e *lakebase.Error
	if !errors.As(callErr, &e) {
		return fmt.Errorf("expected a *lakebase.Error, got %v", callErr)
	}
	if hasErr && e.Code.String() != wantErr {
		return fmt.Errorf("expected %s, got %s", wantErr, got)
	}
	if st, ok := expect["sqlstate"].(string); ok && st != e.SQLState {
		return fmt.Errorf("expected sqlstate %s, got %q: %s", st, e.SQLState, got)
	}
	if api, ok := expect["api_code"].(string); ok && api != e.APICode {
		return fmt.Errorf("expected api_code %s, got %s", api, got)
	}
	if st, ok := expect["http_status"].(json.Number); ok {
		if n, _ := st.Int64(); int(n) != e.HTTPStatus {
			return fmt.Errorf("expected HTTP %d, got %s", n, got)
		}
	}
	if err := sc.checkContains(expect["message_contains"], e.Message, true); err != nil {
		return err
	}
	return sc.checkContains(expect["message_not_contains"], e.Message, false)
}

// checkContains checks text against a string or array of strings that it
// must (want) or must not contain. A forbidden needle is never printed: it
// may be a secret.
func (sc *scenario) checkContains(expected any, text string, want bool) error {
	if expected == nil {
		return nil
	}
	list, isList := expected.([]any)
	if !isList {
		list = []any{expected}
	}
	for _, item := range list {
		raw, ok := item.(string)
		if !ok {
			return errors.New("message expectations must be strings")
		}
		needle, err := sc.r.Env.Expand(raw)
		if err != nil {
			return err
		}
		if strings.Contains(text, needle) != want {
			if want {
				return fmt.Errorf("message %q does not contain %q", text, needle)
			}
			return fmt.Errorf("message contains a forbidden string (%s)", raw)
		}
	}
	return nil
}

func (sc *scenario) checkCredential(expect map[string]any, cred *lakebase.Credential) error {
	fields := []struct{ key, actual string }{
		{"user", cred.User}, {"host", cred.Host}, {"port", strconv.Itoa(cred.Port)},
		{"database", cred.Database}, {"sslmode", cred.SSLMode},
	}
	for _, f := range fields {
		v, ok := expect[f.key]
		if !ok {
			continue
		}
		want, err := sc.text(v, f.key)
		if err != nil {
			return err
		}
		if want != f.actual {
			return fmt.Errorf("credential %s is %q, expected %q", f.key, f.actual, want)
		}
	}
	if cred.Token == "" {
		return errors.New("the credential has an empty token")
	}
	if name, ok := expect["same_token_as"].(string); ok {
		saved, ok := sc.saved[name]
		if !ok {
			return fmt.Errorf("no saved token %q", name)
		}
		if saved != cred.Token {
			return fmt.Errorf("the token differs from saved token %q", name)
		}
	}
	if name, ok := expect["different_token_from"].(string); ok {
		saved, ok := sc.saved[name]
		if !ok {
			return fmt.Errorf("no saved token %q", name)
		}
		if saved == cred.Token {
			return fmt.Errorf("the token equals saved token %q", name)
		}
	}
	return nil
}
