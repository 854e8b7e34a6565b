// Package suggest finds the nearest known name to a mistyped one, for the
// "did you mean" of unknown check IDs, flags and config keys.
package suggest

// Nearest returns the candidate closest to word by edit distance
// (Levenshtein, case as given), and whether it is close enough to be a
// likely typo: at most a third of word's length, and at least 1, edits
// away. On a tie the first candidate wins.
func Nearest(word string, candidates []string) (string, bool) {
	limit := max(len([]rune(word))/3, 1)
	best, bestDist := "", limit+1
	for _, c := range candidates {
		if d := distance(word, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best, bestDist <= limit
}

// DidYouMean is " (did you mean X?)" for the nearest candidate, or "".
func DidYouMean(word string, candidates []string) string {
	if c, ok := Nearest(word, candidates); ok {
		return " (did you mean " + c + "?)"
	}
	return ""
}

// distance is the Levenshtein distance between a and b, in runes, with
// two rows of memory.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
