package detect_test

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/detect"
)

// sampleRecords decodes the records of rule sample files.
func sampleRecords(t *testing.T, files ...string) []*detect.Record {
	t.Helper()
	var out []*detect.Record
	for _, f := range files {
		for _, raw := range loadRecords(t, filepath.Join("testdata", "rules", f)) {
			r, err := detect.DecodeRecord(raw)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			out = append(out, r)
		}
	}
	return out
}

func newDriver(t *testing.T, w detect.Window) *detect.Driver {
	t.Helper()
	d, err := detect.NewDriver(detect.DefaultConfig(), w)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDriverFeed: records fed one at a time give the engine's alerts once each: a re-delivered
// record's alerts are left out and counted, and the burst and the joined session come from Close.
func TestDriverFeed(t *testing.T) {
	recs := sampleRecords(t, "root-console-brute-force/tp-six-in-twelve-minutes.json",
		"assume-root-session/tp-joined-session-before-call.json")
	login := sampleRecords(t, "root-console-login/tp-success-mfa-uppercase-yes.json")
	recs = append(append(recs, login...), login...) // delivered twice

	e := newEngine(t, detect.DefaultConfig())
	var want []detect.Alert
	for i, r := range recs[:len(recs)-len(login)] {
		want = append(want, e.Observe(r, detect.Source{File: "f", Index: i})...)
	}
	want = append(want, e.Flush()...)

	d := newDriver(t, detect.Window{})
	var got []detect.Alert
	for i, r := range recs {
		as, inWindow := d.Feed(r, detect.Source{File: "f", Index: i})
		if !inWindow {
			t.Errorf("record %d: outside an open window", i)
		}
		got = append(got, as...)
	}
	got = append(got, d.Close()...)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("alerts (-engine without the copy +driver):\n%s", diff)
	}
	if copies := len(newEngine(t, detect.DefaultConfig()).Observe(login[0], detect.Source{})); d.Duplicates() != copies || copies == 0 {
		t.Errorf("%d duplicates counted, want the re-delivered sign-in's %d alerts", d.Duplicates(), copies)
	}
}

// TestDriverWindow: a record outside the window is neither observed nor joined nor counted in a
// burst; one without an eventTime is kept.
func TestDriverWindow(t *testing.T) {
	login := sampleRecords(t, "root-console-login/tp-success-mfa-uppercase-yes.json")[0]
	at := login.EventTime
	tests := []struct {
		name string
		w    detect.Window
		in   bool
	}{
		{"open", detect.Window{}, true},
		{"since the event", detect.Window{Since: at}, true},
		{"since after", detect.Window{Since: at.Add(time.Second)}, false},
		{"until the event", detect.Window{Until: at}, false},
		{"until after", detect.Window{Until: at.Add(time.Second)}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newDriver(t, tc.w)
			as, in := d.Feed(login, detect.Source{})
			if in != tc.in || (len(as) > 0) != tc.in {
				t.Errorf("in window %v with %d alerts, want %v", in, len(as), tc.in)
			}
		})
	}
	undated := *login
	undated.EventTime = time.Time{}
	if _, in := newDriver(t, detect.Window{Since: at.Add(time.Hour)}).Feed(&undated, detect.Source{}); !in {
		t.Errorf("a record without eventTime was left out of a window")
	}
}

// TestDriverParallelObserve: workers calling Observe at once, then Admit from one goroutine, give
// the alerts of Feed (run with -race).
func TestDriverParallelObserve(t *testing.T) {
	recs := sampleRecords(t, "root-console-brute-force/tp-six-in-twelve-minutes.json",
		"assume-root-session/tp-joined-session-before-call.json", "root-console-login/tp-success-mfa-uppercase-yes.json")
	recs = append(recs, recs...)
	seq := newDriver(t, detect.Window{})
	var want []detect.Alert
	for i, r := range recs {
		as, _ := seq.Feed(r, detect.Source{Index: i})
		want = append(want, as...)
	}
	want = append(want, seq.Close()...)

	d := newDriver(t, detect.Window{})
	per := make([][]detect.Alert, len(recs))
	var wg sync.WaitGroup
	for i, r := range recs {
		wg.Go(func() { per[i], _ = d.Observe(r, detect.Source{Index: i}) })
	}
	wg.Wait()
	var got []detect.Alert
	for _, as := range per {
		for _, a := range as {
			if d.Admit(a) {
				got = append(got, a)
			}
		}
	}
	got = append(got, d.Close()...)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("alerts (-Feed +parallel Observe):\n%s", diff)
	}
	if d.Duplicates() != seq.Duplicates() || d.Duplicates() == 0 {
		t.Errorf("%d duplicates, Feed counted %d", d.Duplicates(), seq.Duplicates())
	}
}
