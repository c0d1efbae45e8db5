package lakebase

/*
#include <stdlib.h>
#include <lakebase.h>
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

// newCConfig builds a C configuration from c (keys in sorted order, so the
// first invalid key reported is always the same). Free with
// C.lakebase_config_free.
func newCConfig(c Config) (*C.lakebase_config, error) {
	var cfg *C.lakebase_config
	var cerr *C.lakebase_error
	if rc := C.lakebase_config_new(&cfg, &cerr); rc != 0 {
		return nil, takeError(rc, cerr)
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
			C.lakebase_config_free(cfg)
			return nil, takeError(rc, cerr)
		}
	}
	return cfg, nil
}
