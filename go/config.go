package lakebase

/*
#include <stdint.h>
#include <stdlib.h>
#include <lakebase.h>

// Exported from callbacks.go and span.go.
extern int lbGoTokenSource(void *, char *, size_t, int64_t *);
extern void lbGoLog(void *, int, char *);
extern void lbGoSpan(void *, lakebase_span *);

// The hooks' cgo.Handle travels as the callbacks' userdata; cgo has no const.
static void lb_go_log(void *userdata, int level, const char *message) {
    lbGoLog(userdata, level, (char *)message);
}

static void lb_go_span(void *userdata, const lakebase_span *span) {
    lbGoSpan(userdata, (lakebase_span *)span);
}

static int lb_go_set_token_source(lakebase_config *cfg, uintptr_t id,
                                  lakebase_error **err) {
    return lakebase_config_set_token_source(cfg, lbGoTokenSource, (void *)id, err);
}

static int lb_go_set_logger(lakebase_config *cfg, uintptr_t id, int max_level,
                            lakebase_error **err) {
    return lakebase_config_set_logger(cfg, lb_go_log, (void *)id, max_level, err);
}

static int lb_go_set_span_listener(lakebase_config *cfg, uintptr_t id,
                                   lakebase_error **err) {
    return lakebase_config_set_span_listener(cfg, lb_go_span, (void *)id, err);
}
*/
import "C"

import "sort"

// Config holds the core's configuration keys and their values, exactly as
// documented in docs/configuration.md ("workspace.host", "lakebase.endpoint",
// "pool.max_size", ...). Keys not set here come from the environment, then a
// ~/.databrickscfg profile, then the core's defaults. Values are checked by
// the core when a pool, connector or credentials handle is created.
type Config map[string]string

// Set sets key to value and returns the config, for chaining.
func (c Config) Set(key, value string) Config {
	c[key] = value
	return c
}

// Unset removes key so the environment, profile or default applies again.
func (c Config) Unset(key string) Config {
	delete(c, key)
	return c
}

// ConfigKey describes one configuration key of the core.
type ConfigKey struct {
	Name    string
	EnvVars string // comma-separated environment variables, may be ""
	Doc     string
}

// ConfigKeys lists every key the core knows.
func ConfigKeys() []ConfigKey {
	var keys []ConfigKey
	for i := 0; ; i++ {
		var name, env, doc *C.char
		if C.lakebase_config_key_at(C.size_t(i), &name, &env, &doc) != 0 {
			return keys
		}
		keys = append(keys, ConfigKey{C.GoString(name), C.GoString(env), C.GoString(doc)})
	}
}

// newCConfig builds a C configuration from c and opts: the DSN first, then
// the keys in sorted order (so the first invalid key reported is always the
// same), then the callbacks. The hooks (nil without callbacks) hold one
// reference for the config: pass it on to the C object made from the
// config, or release it. Free the config with C.lakebase_config_free.
func newCConfig(c Config, opts []Option) (*C.lakebase_config, *hooks, error) {
	o := collectOptions(opts)
	var cfg *C.lakebase_config
	var cerr *C.lakebase_error
	if rc := C.lakebase_config_new(&cfg, &cerr); rc != 0 {
		return nil, nil, takeError(rc, cerr)
	}
	if err := fillCConfig(cfg, c, o.dsn); err != nil {
		C.lakebase_config_free(cfg)
		return nil, nil, err
	}
	h := newHooks(o)
	if err := h.install(cfg); err != nil {
		C.lakebase_config_free(cfg)
		h.release(nil)
		return nil, nil, err
	}
	return cfg, h, nil
}

func fillCConfig(cfg *C.lakebase_config, c Config, dsn string) error {
	var cerr *C.lakebase_error
	if dsn != "" {
		cdsn := cString(dsn)
		rc := C.lakebase_config_set_dsn(cfg, cdsn, &cerr)
		freeSecretCString(cdsn)
		if rc != 0 {
			return takeError(rc, cerr)
		}
	}
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ck, cv := cString(k), cString(c[k])
		rc := C.lakebase_config_set(cfg, ck, cv, &cerr)
		freeCString(ck)
		freeSecretCString(cv)
		if rc != 0 {
			return takeError(rc, cerr)
		}
	}
	return nil
}

// install sets the callbacks on cfg.
func (h *hooks) install(cfg *C.lakebase_config) error {
	if h == nil {
		return nil
	}
	var cerr *C.lakebase_error
	if h.source != nil {
		if rc := C.lb_go_set_token_source(cfg, C.uintptr_t(h.handle), &cerr); rc != 0 {
			return takeError(rc, cerr)
		}
	}
	if h.logger != nil {
		// Every level: the slog handler filters (see lbGoLog).
		if rc := C.lb_go_set_logger(cfg, C.uintptr_t(h.handle), C.LAKEBASE_LOG_DEBUG,
			&cerr); rc != 0 {
			return takeError(rc, cerr)
		}
	}
	if h.spans != nil {
		if rc := C.lb_go_set_span_listener(cfg, C.uintptr_t(h.handle), &cerr); rc != 0 {
			return takeError(rc, cerr)
		}
	}
	return nil
}
