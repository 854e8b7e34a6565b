package trail

import "github.com/rootguard/rootguard/internal/trail/teddy"

// needleSet finds whether any of several needles starts in a range of a
// buffer. Where the CPU allows, one vectorised pass (package teddy)
// compares every position with the first three bytes of every needle at
// once, and only positions where those match are checked in full: in
// CloudTrail JSON about one position per record, against one stop every
// 70 bytes or so for a bytes.IndexByte pass per rare byte, which the
// groups do otherwise.
type needleSet struct {
	needles [][]byte
	tri     *teddy.Table  // nil: the groups
	groups  []finderGroup // without tri
}

func newNeedleSet(needles [][]byte) needleSet {
	ns := needleSet{needles: needles}
	var ok bool
	if ns.tri, ok = teddy.New(needles); !ok {
		ns.groups = groupFinders(needles)
	}
	return ns
}

// within reports whether a needle starts at a position in [from, to) of
// buf.
func (ns *needleSet) within(buf []byte, from, to int) bool {
	if ns.tri == nil {
		for i := range ns.groups {
			if ns.groups[i].within(buf, from, to) {
				return true
			}
		}
		return false
	}
	lim := min(len(buf), to+2) // the first three bytes of a needle that starts before to
	for from < to {
		j := ns.tri.Index(buf[from:lim])
		if j < 0 || from+j >= to {
			return false
		}
		if ns.at(buf, from+j) {
			return true
		}
		from += j + 1
	}
	return false
}

// at reports whether a needle starts at buf[i].
func (ns *needleSet) at(buf []byte, i int) bool {
	for _, n := range ns.needles {
		// The first byte first: most needles differ there, and a call to
		// compare costs more than the byte.
		if len(buf)-i >= len(n) && buf[i] == n[0] && string(buf[i:i+len(n)]) == string(n) {
			return true
		}
	}
	return false
}
