package teddy

import "golang.org/x/sys/cpu"

var haveAVX2 = cpu.X86.HasAVX2

// indexAVX2 returns the first position i <= len(buf)-3 at which a
// needle's first three bytes start, or -1; len(buf) >= 34.
//
//go:noescape
func indexAVX2(buf []byte, t *Table) int
