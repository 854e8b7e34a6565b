package serve

import (
	"context"
	"time"
)

// schedule runs the scheduled scans until ctx is done: each replica tries
// to take the scan lease for one interval; the one that takes it scans,
// and every replica waits until the lease ends, so one scan runs per
// interval across replicas (a replica that dies while scanning leaves the
// next interval's scan to another).
func (s *service) schedule(ctx context.Context) {
	for ctx.Err() == nil {
		now := s.o.Clock()
		held, until, err := s.o.Store.TakeLease(ctx, scanLease, s.o.Owner, now, now.Add(s.o.Interval))
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("scheduled scan", "error", err.Error())
			}
			until = now.Add(min(s.o.Interval, time.Minute))
		}
		if held {
			s.scan(ctx)
		}
		s.latestFindings(ctx)
		if !sleep(ctx, until.Sub(s.o.Clock())) {
			return
		}
	}
}

// scan runs one scan and records it.
func (s *service) scan(ctx context.Context) {
	started := s.o.Clock().UTC()
	rep, err := s.o.Scan(ctx)
	if err == nil {
		var id string
		if id, err = s.o.Store.RecordScan(ctx, rep, started, s.o.Clock().UTC()); err == nil {
			s.m.scans.WithLabelValues("ok").Inc()
			s.log.Info("scan recorded", "scan_id", id, "findings", len(rep.Findings), "took", time.Since(started).Round(time.Millisecond).String())
			return
		}
	}
	s.m.scans.WithLabelValues("failed").Inc()
	if ctx.Err() == nil {
		s.log.Error("scheduled scan", "error", err.Error())
	}
}

// latestFindings sets the findings gauge from the latest recorded scan,
// whichever replica recorded it.
func (s *service) latestFindings(ctx context.Context) {
	_, rep, err := s.o.Store.LatestScan(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("latest scan", "error", err.Error())
		}
		return
	}
	if rep != nil {
		s.m.setFindings(rep.Findings)
	}
}
