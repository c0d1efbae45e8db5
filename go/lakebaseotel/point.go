package lakebaseotel

/*
#include <lakebase.h>
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

//export lbotelPoint
func lbotelPoint(userdata unsafe.Pointer, cp *C.lakebase_metric_point) {
	out := cgo.Handle(uintptr(userdata)).Value().(*[]point)
	p := point{
		metric: int(cp.metric),
		value:  float64(cp.value),
		count:  uint64(cp.count),
		sum:    float64(cp.sum),
		hasSum: cp.has_sum != 0,
	}
	n := int(cp.attribute_count)
	if n > 0 {
		keys := unsafe.Slice(cp.attribute_keys, n)
		vals := unsafe.Slice(cp.attribute_values, n)
		for i := 0; i < n; i++ {
			p.keys = append(p.keys, C.GoString(keys[i]))
			p.vals = append(p.vals, C.GoString(vals[i]))
		}
	}
	if b := int(cp.bucket_count); b > 0 {
		for _, v := range unsafe.Slice(cp.bounds, b-1) {
			p.bounds = append(p.bounds, float64(v))
		}
		for _, v := range unsafe.Slice(cp.bucket_counts, b) {
			p.bucketCount = append(p.bucketCount, uint64(v))
		}
	}
	*out = append(*out, p)
}
