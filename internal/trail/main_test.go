package trail

import (
	"os"
	"testing"
)

var tempDirs []string

// tempDir makes a folder removed when the test binary exits (benchmarks
// share one corpus across b.Run calls, so b.TempDir does not fit).
func tempDir(pattern string) (string, error) {
	d, err := os.MkdirTemp("", pattern)
	if err == nil {
		tempDirs = append(tempDirs, d)
	}
	return d, err
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range tempDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}
