package lakebase

/*
#include <stdlib.h>
*/
import "C"

import (
	"database/sql/driver"
	"encoding/hex"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// textArg converts one query argument to PostgreSQL's text form. null is
// true for SQL NULL (nil, a nil pointer, a Valuer giving nil).
//
//	nil, nil pointer      NULL
//	string                as is
//	[]byte                bytea hex ("\x0102")
//	bool                  "t" / "f"
//	integers, floats      decimal (floats shortest round-trip, NaN/±Infinity)
//	time.Time             RFC 3339 with nanoseconds
//	driver.Valuer         its Value(), converted as above
//	*T                    *T converted as above
func textArg(v any) (text string, null bool, err error) {
	switch x := v.(type) {
	case nil:
		return "", true, nil
	case string:
		return x, false, nil
	case []byte:
		if x == nil {
			return "", true, nil
		}
		return `\x` + hex.EncodeToString(x), false, nil
	case bool:
		if x {
			return "t", false, nil
		}
		return "f", false, nil
	case int:
		return strconv.FormatInt(int64(x), 10), false, nil
	case int64:
		return strconv.FormatInt(x, 10), false, nil
	case int32:
		return strconv.FormatInt(int64(x), 10), false, nil
	case float64:
		return formatFloat(x, 64), false, nil
	case time.Time:
		return x.Format(time.RFC3339Nano), false, nil
	case driver.Valuer:
		rv := reflect.ValueOf(v)
		if rv.Kind() == reflect.Pointer && rv.IsNil() {
			return "", true, nil
		}
		dv, err := x.Value()
		if err != nil {
			return "", false, err
		}
		return textArg(dv)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return "", true, nil
		}
		return textArg(rv.Elem().Interface())
	case reflect.String:
		return rv.String(), false, nil
	case reflect.Bool:
		return textArg(rv.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), false, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(rv.Uint(), 10), false, nil
	case reflect.Float32:
		return formatFloat(rv.Float(), 32), false, nil
	case reflect.Float64:
		return formatFloat(rv.Float(), 64), false, nil
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return textArg(rv.Bytes())
		}
	}
	return "", false, fmt.Errorf("lakebase: cannot send a %T as a query argument", v)
}

// formatFloat prints f as PostgreSQL reads it back exactly.
func formatFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(f, 'g', -1, bits)
}

// cParams is a C array of text parameters for lakebase_*_query.
type cParams struct {
	n      C.int
	values **C.char // NULL when n == 0
}

// newCParams converts args; free the result with free().
func newCParams(args []any) (cParams, error) {
	if len(args) == 0 {
		return cParams{}, nil
	}
	arr := (**C.char)(C.calloc(C.size_t(len(args)), C.size_t(unsafe.Sizeof((*C.char)(nil)))))
	p := cParams{n: C.int(len(args)), values: arr}
	slots := unsafe.Slice(arr, len(args))
	for i, a := range args {
		text, null, err := textArg(a)
		if err == nil && strings.IndexByte(text, 0) >= 0 {
			err = fmt.Errorf("lakebase: argument $%d contains a NUL byte, which PostgreSQL text cannot hold", i+1)
		}
		if err != nil {
			p.free()
			return cParams{}, err
		}
		if !null {
			slots[i] = cString(text)
		}
	}
	return p, nil
}

func (p cParams) free() {
	if p.values == nil {
		return
	}
	for _, s := range unsafe.Slice(p.values, int(p.n)) {
		if s != nil {
			freeCString(s)
		}
	}
	C.free(unsafe.Pointer(p.values))
}
