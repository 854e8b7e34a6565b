package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestColorAllowed(t *testing.T) {
	tests := []struct {
		name    string
		noColor bool
		env     map[string]string
		want    bool
	}{
		{"default", false, map[string]string{"TERM": "xterm-256color"}, true},
		{"--no-color", true, map[string]string{"TERM": "xterm-256color"}, false},
		{"NO_COLOR=1", false, map[string]string{"NO_COLOR": "1"}, false},
		{"NO_COLOR=0 is still set", false, map[string]string{"NO_COLOR": "0"}, false},
		{"NO_COLOR empty", false, map[string]string{"NO_COLOR": ""}, true},
		{"TERM=dumb", false, map[string]string{"TERM": "dumb"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := colorAllowed(tt.noColor, func(k string) string { return tt.env[k] }); got != tt.want {
				t.Errorf("colorAllowed = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestNoColorFlag: --no-color is a global flag every command accepts.
func TestNoColorFlag(t *testing.T) {
	for _, args := range [][]string{{"--no-color", "version"}, {"explain", "root-access-keys-absent", "--no-color"}} {
		var out, errOut bytes.Buffer
		if code := Run(context.Background(), args, strings.NewReader(""), &out, &errOut); code != ExitOK {
			t.Errorf("%v: exit %d\n%s", args, code, errOut.String())
		}
	}
}
