package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/store/storetest"
)

func TestAlerts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		mfa := true
		alert := func(id, at string) detect.Alert {
			return detect.Alert{RuleID: "root-console-login", Severity: detect.High, Title: "Root console sign-in", EventID: id, EventTime: at,
				EventName: "ConsoleLogin", AccountID: "111111111111", SourceIP: "198.51.100.7", MFAUsed: &mfa}
		}
		a := alert("ev-2", "2026-12-01T10:00:00Z")
		b := alert("ev-1", "2026-12-01T09:00:00Z")
		late := alert("ev-3", "2026-12-02T09:00:00Z")
		for _, c := range []struct {
			a    detect.Alert
			want bool
		}{{a, true}, {b, true}, {late, true}, {a, false}} {
			got, err := s.RecordAlert(ctx, c.a, t0)
			if err != nil || got != c.want {
				t.Errorf("RecordAlert(%s) = %v, %v; want new %v", c.a.EventID, got, err, c.want)
			}
		}
		if _, err := s.RecordAlert(ctx, alert("", "2026-12-01T09:00:00Z"), t0); err == nil || !strings.Contains(err.Error(), "event ID") {
			t.Errorf("an alert without an event ID: %v", err)
		}
		got, err := s.Alerts(ctx, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff([]detect.Alert{b, a}, got); d != "" {
			t.Errorf("alerts of 1 December, oldest first (-want +got):\n%s", d)
		}
	})
}
