// Package teddy finds where any of up to eight short needles starts in a
// buffer with one vectorised pass (amd64 with AVX2): every position is
// compared with the first three bytes of every needle at once, looked up
// by nibble as in Hyperscan's Teddy. It is a prefilter: a position it
// returns begins with a needle's first three bytes, and the caller checks
// the rest.
package teddy

// MaxNeedles is how many needles a Table holds: one bit each.
const MaxNeedles = 8

// Table is the lookup of the first three bytes of the needles, one bit per
// needle: bit k of lo[p][b&15] and of hi[p][b>>4] are both set when b is
// byte p of needle k (for every b when needle k has only two bytes and p
// is 2). The assembly reads this layout.
type Table struct {
	lo, hi [3][16]byte
	short  byte // the needles of two bytes
}

// New returns the table of needles, or false when this CPU has no
// vectorised pass, there are more than MaxNeedles, or a needle is shorter
// than two bytes: then the caller searches some other way.
func New(needles [][]byte) (*Table, bool) {
	if !haveAVX2 || len(needles) > MaxNeedles {
		return nil, false
	}
	t := &Table{}
	for k, n := range needles {
		if len(n) < 2 {
			return nil, false
		}
		bit := byte(1) << k
		if len(n) == 2 {
			t.short |= bit
		}
		for p := range 3 {
			for v := range 16 {
				if p >= len(n) || int(n[p]&15) == v {
					t.lo[p][v] |= bit
				}
				if p >= len(n) || int(n[p]>>4) == v {
					t.hi[p][v] |= bit
				}
			}
		}
	}
	return t, true
}

// Index returns the first position of buf where a needle's first three
// bytes (both bytes, for a two-byte needle) start, or -1. t must come from
// New, which made sure the CPU has the vectorised pass.
func (t *Table) Index(buf []byte) int {
	i := 0
	if len(buf) >= 34 {
		if j := indexAVX2(buf, t); j >= 0 {
			return j
		}
		i = len(buf) - 2 // every position up to len-3 was compared
	}
	for ; i < len(buf); i++ {
		if t.at(buf[i:]) {
			return i
		}
	}
	return -1
}

// at reports whether b begins with a needle's first three bytes.
func (t *Table) at(b []byte) bool {
	m := byte(0xff)
	for p := range 3 {
		if p == len(b) {
			return m&t.short != 0 && p == 2
		}
		m &= t.lo[p][b[p]&15] & t.hi[p][b[p]>>4]
	}
	return m != 0
}
