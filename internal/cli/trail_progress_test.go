package cli

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/trail"
)

// TestTrailProgress drives the progress line with a hand-fed tick: each
// tick redraws one line in place (carriage return, clear to end of line)
// with the live counters, and stopping clears the line so the summary that
// follows starts on a clean line.
func TestTrailProgress(t *testing.T) {
	var c trail.Counters
	out := &notifyWriter{wrote: make(chan struct{}, 1)}
	tick := make(chan time.Time)
	stop := runProgress(out, &c, tick)

	c.Files.Add(3)
	c.Compressed.Add(2_500_000)
	c.Bytes.Add(31_000_000)
	c.Records.Add(12345)
	c.Alerts.Add(2)
	tick <- time.Time{}
	<-out.wrote // the first line is drawn before the counters move
	c.Files.Add(1)
	c.Records.Add(5)
	tick <- time.Time{}
	<-out.wrote
	stop()

	want := "\r\033[Kfiles 3 · 2.5 MB read · 31.0 MB decompressed · 12345 records · 2 alerts" +
		"\r\033[Kfiles 4 · 2.5 MB read · 31.0 MB decompressed · 12350 records · 2 alerts" +
		"\r\033[K"
	if diff := cmp.Diff(want, out.buf.String()); diff != "" {
		t.Errorf("progress output (-want +got)\n%q", diff)
	}
}

// notifyWriter signals each write, so the test knows a line is complete.
type notifyWriter struct {
	buf   bytes.Buffer
	wrote chan struct{}
}

func (w *notifyWriter) Write(p []byte) (int, error) {
	n, err := w.buf.Write(p)
	select {
	case w.wrote <- struct{}{}:
	default:
	}
	return n, err
}

// TestTrailProgressOffWithoutTerminal: a pipe or a buffer gets no progress
// line, so redirected stderr holds only the summary.
func TestTrailProgressOffWithoutTerminal(t *testing.T) {
	var c trail.Counters
	var out bytes.Buffer
	stop := startProgress(&out, &c)
	c.Records.Add(1)
	stop()
	if out.Len() != 0 {
		t.Errorf("progress written to a non-terminal: %q", out.String())
	}
}
