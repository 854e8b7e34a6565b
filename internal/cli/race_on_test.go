//go:build race

package cli

// raceDetector is true when the tests run under -race, which makes a demo
// scan several times slower.
const raceDetector = true
