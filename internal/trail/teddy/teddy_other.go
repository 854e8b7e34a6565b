//go:build !amd64

package teddy

const haveAVX2 = false

func indexAVX2([]byte, *Table) int { panic("teddy: no vectorised pass on this architecture") }
