package trail

import (
	"bytes"
	"slices"
	"strings"
)

// byteOrder lists printable ASCII from the most to the least frequent in
// CloudTrail JSON (measured on AWS documentation records and generated
// archives). It only steers speed: a finder looks for a needle's rarest
// byte with bytes.IndexByte, which is vectorised, and checks the rest.
const byteOrder = "\"eat:snr o0ic,d321mul-.pA49865Ivbgfw7yS{}/DCTER_hOMPzNFkBxLH#VqZKG[]WU+J()X@YjQ;=$<>?%&!'*\\^`|~"

// finder finds one literal needle.
type finder struct {
	needle []byte
	off    int  // position of the rarest byte in needle
	rare   byte // needle[off]
}

func newFinder(needle []byte) finder {
	f := finder{needle: needle}
	best := -1
	for i, c := range needle {
		rank := strings.IndexByte(byteOrder, c)
		if rank < 0 {
			rank = len(byteOrder) // not printable ASCII: assume rare
		}
		if rank > best {
			best, f.off, f.rare = rank, i, c
		}
	}
	return f
}

// index returns the first position at or after from where the needle
// starts in buf, or -1.
func (f *finder) index(buf []byte, from int) int {
	n := len(f.needle)
	if n == 0 {
		return from
	}
	i := from + f.off
	for i < len(buf) {
		j := bytes.IndexByte(buf[i:], f.rare)
		if j < 0 {
			return -1
		}
		i += j
		start := i - f.off
		if start+n <= len(buf) && bytes.Equal(buf[start:start+n], f.needle) {
			return start
		}
		i++
	}
	return -1
}

// lastIndex returns the last position where the needle starts in buf[from:],
// or -1.
func (f *finder) lastIndex(buf []byte, from int) int {
	n := len(f.needle)
	end := len(buf) - n + f.off // the rare byte of the last possible match
	for end >= from+f.off {
		j := bytes.LastIndexByte(buf[from+f.off:end+1], f.rare)
		if j < 0 {
			return -1
		}
		i := from + f.off + j
		start := i - f.off
		if bytes.Equal(buf[start:start+n], f.needle) {
			return start
		}
		end = i - 1
	}
	return -1
}

// finderGroup finds several needles that share their rarest byte with one
// bytes.IndexByte pass over that byte.
type finderGroup struct {
	rare    byte
	members []finder
	minOff  int
	maxOff  int
	empty   bool // an empty needle: it starts everywhere
}

func groupFinders(needles [][]byte) []finderGroup {
	var gs []finderGroup
	for _, n := range needles {
		f := newFinder(n)
		i := slices.IndexFunc(gs, func(g finderGroup) bool { return g.rare == f.rare && !g.empty })
		if i < 0 || len(f.needle) == 0 {
			gs = append(gs, finderGroup{rare: f.rare, minOff: f.off, maxOff: f.off, empty: len(f.needle) == 0})
			i = len(gs) - 1
		}
		g := &gs[i]
		g.members = append(g.members, f)
		g.minOff, g.maxOff = min(g.minOff, f.off), max(g.maxOff, f.off)
	}
	return gs
}

// within reports whether a member needle starts at a position in
// [from, to) of buf. It reads only the bytes such a needle covers, so that
// asking record after record keeps every group's pass over the same few
// kilobytes in the CPU cache, instead of one pass per group over the whole
// chunk.
func (g *finderGroup) within(buf []byte, from, to int) bool {
	if g.empty {
		return from < to
	}
	end := min(len(buf), to+g.maxOff) // past the rare byte of the last start before to
	for i := from + g.minOff; i < end; i++ {
		j := bytes.IndexByte(buf[i:end], g.rare)
		if j < 0 {
			return false
		}
		i += j
		for _, f := range g.members {
			start := i - f.off
			if start >= from && start < to && start+len(f.needle) <= len(buf) && bytes.Equal(buf[start:start+len(f.needle)], f.needle) {
				return true
			}
		}
	}
	return false
}
