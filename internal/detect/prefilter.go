package detect

// Needles returns the literal byte strings Interesting looks for. A raw record that contains none
// of them can be skipped. The slices are shared; do not modify them.
func Needles() [][]byte { return needles }

// Interesting reports whether any rule could fire on the raw JSON record, or an aggregate or
// join could need it. False guarantees that Engine.Observe would return nothing for the record
// and that Flush would not change without it. It never decodes JSON.
func Interesting(raw []byte) bool { return interesting(raw) }
