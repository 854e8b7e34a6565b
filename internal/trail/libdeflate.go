//go:build libdeflate && cgo

package trail

/*
#cgo LDFLAGS: -ldeflate
#include <stdlib.h>
#include <libdeflate.h>
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime"
	"unsafe"
)

// This file is built with -tags libdeflate: a small cgo wrapper of
// libdeflate's gzip decompressor (Debian: libdeflate-dev), which inflates a
// whole buffer at once, about twice as fast as a streaming inflater.

func init() {
	newGunzipper = func() gunzipper {
		d := C.libdeflate_alloc_decompressor()
		if d == nil {
			panic("libdeflate: out of memory")
		}
		l := &libdeflate{d: d}
		runtime.AddCleanup(l, func(d *C.struct_libdeflate_decompressor) { C.libdeflate_free_decompressor(d) }, d)
		return l
	}
}

// libdeflate holds one decompressor: not safe for concurrent use, one per
// worker.
type libdeflate struct {
	d *C.struct_libdeflate_decompressor
}

var errBadGzip = errors.New("gzip: invalid data")

// gunzip inflates the gzip members of src one after the other into dst:
// libdeflate reports how much input each member used, and the next member
// starts there.
func (l *libdeflate) gunzip(dst, src []byte) (int, error) {
	out := 0
	for len(src) > 0 {
		if out == len(dst) {
			return out, errNoSpace
		}
		var in, n C.size_t
		r := C.libdeflate_gzip_decompress_ex(l.d,
			unsafe.Pointer(unsafe.SliceData(src)), C.size_t(len(src)),
			unsafe.Pointer(&dst[out]), C.size_t(len(dst)-out), &in, &n)
		switch r {
		case C.LIBDEFLATE_SUCCESS:
		case C.LIBDEFLATE_INSUFFICIENT_SPACE:
			return out, errNoSpace
		case C.LIBDEFLATE_BAD_DATA:
			return out, errBadGzip
		default:
			return out, fmt.Errorf("gzip: libdeflate result %d", int(r))
		}
		if in == 0 {
			return out, errBadGzip // no progress: never loop
		}
		out += int(n)
		src = src[in:]
	}
	return out, nil
}
