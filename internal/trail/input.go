package trail

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/detect"
)

// Input is one stream of CloudTrail data: a file, an S3 object or stdin.
type Input interface {
	// Name is how reports refer to the input (a path or s3://bucket/key).
	Name() string
	Open(ctx context.Context) (io.ReadCloser, error)
}

// Item is one step of an input listing: an input to read, or an input left
// out on purpose (Skip) or that could not be listed (Fail).
type Item struct {
	Input Input
	Skip  *Problem
	Fail  *Problem
}

// Problem names an input and why it was skipped or could not be read.
type Problem struct {
	Input  string `json:"input"`
	Reason string `json:"reason"`
}

// Window is a half-open time range [Since, Until); a zero bound is open.
// Here it prunes inputs by their date folders; detect.Window, the same
// range, keeps records by their eventTime.
type Window struct {
	Since, Until time.Time
}

// Bounded reports whether either bound is set.
func (w Window) Bounded() bool { return !w.Since.IsZero() || !w.Until.IsZero() }

// DeliverySlack is how long after an event CloudTrail may deliver it. A
// date folder holds the files delivered that day (UTC), so its events lie
// in [day - DeliverySlack, day + 24h).
const DeliverySlack = detect.DeliverySlack

// folderDate finds the CloudTrail date folders in a slash-separated path
// (".../CloudTrail/<region>/YYYY/MM/DD/...") and returns the time span its
// known parts cover. ok is false when the path has no such parts.
func folderDate(p string) (from, to time.Time, ok bool) {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if s != "CloudTrail" && s != "CloudTrail-Insight" {
			continue
		}
		date := segs[min(i+2, len(segs)):]
		var parts []int
		for _, d := range date[:min(3, len(date))] {
			n, err := strconv.Atoi(d)
			if err != nil {
				break
			}
			parts = append(parts, n)
		}
		switch len(parts) {
		case 0:
			return time.Time{}, time.Time{}, false
		case 1:
			from = time.Date(parts[0], 1, 1, 0, 0, 0, 0, time.UTC)
			to = from.AddDate(1, 0, 0)
		case 2:
			from = time.Date(parts[0], time.Month(parts[1]), 1, 0, 0, 0, 0, time.UTC)
			to = from.AddDate(0, 1, 0)
		default:
			from = time.Date(parts[0], time.Month(parts[1]), parts[2], 0, 0, 0, 0, time.UTC)
			to = from.AddDate(0, 0, 1)
		}
		return from, to, true
	}
	return time.Time{}, time.Time{}, false
}

// outside reports whether every event under the date folders of p lies
// outside w, so p need not be listed or read.
func (w Window) outside(p string) bool {
	if !w.Bounded() {
		return false
	}
	from, to, ok := folderDate(p)
	if !ok {
		return false
	}
	from = from.Add(-DeliverySlack)
	if !w.Since.IsZero() && !to.After(w.Since) {
		return true
	}
	return !w.Until.IsZero() && !from.Before(w.Until)
}

// isDigest reports a CloudTrail digest path (integrity files, not records).
func isDigest(p string) bool {
	return strings.Contains(p, "/CloudTrail-Digest/") || strings.HasPrefix(p, "CloudTrail-Digest/") || strings.HasSuffix(p, "/CloudTrail-Digest")
}

// fileInput is a local file.
type fileInput string

func (f fileInput) Name() string { return string(f) }

func (f fileInput) Open(context.Context) (io.ReadCloser, error) { return os.Open(string(f)) }

// readerInput is an already open stream such as stdin.
type readerInput struct {
	name string
	r    io.Reader
}

func (r readerInput) Name() string { return r.name }

func (r readerInput) Open(context.Context) (io.ReadCloser, error) { return io.NopCloser(r.r), nil }

// ReaderInput wraps an open stream (stdin) as an Input that can be read once.
func ReaderInput(name string, r io.Reader) Input { return readerInput{name: name, r: r} }

// Paths lists the inputs named on a command line: "-" is stdin, s3://
// URLs are listed through s3 (which is called only if such a URL is
// given), and anything else is a file or a directory walked in lexical
// order. Hidden files and CloudTrail digest folders are skipped, and so
// are date folders outside w.
func Paths(ctx context.Context, args []string, stdin io.Reader, w Window, s3 func(context.Context) (ObjectStore, error)) iter.Seq[Item] {
	return func(yield func(Item) bool) {
		var store ObjectStore
		for _, arg := range args {
			switch {
			case arg == "-":
				if !yield(Item{Input: ReaderInput("-", stdin)}) {
					return
				}
			case strings.HasPrefix(arg, "s3://"):
				if store == nil {
					var err error
					if store, err = s3(ctx); err != nil {
						yield(Item{Fail: &Problem{Input: arg, Reason: err.Error()}})
						return
					}
				}
				for it := range listS3(ctx, store, arg, w) {
					if !yield(it) {
						return
					}
				}
			default:
				if !walkLocal(arg, w, yield) {
					return
				}
			}
		}
	}
}

func walkLocal(root string, w Window, yield func(Item) bool) bool {
	info, err := os.Stat(root)
	if err != nil {
		return yield(Item{Fail: &Problem{Input: root, Reason: unwrapPathError(err)}})
	}
	if !info.IsDir() {
		return yield(Item{Input: fileInput(root)})
	}
	cont := true
	skipped := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if !yield(Item{Fail: &Problem{Input: p, Reason: unwrapPathError(err)}}) {
				cont = false
				return filepath.SkipAll
			}
			return nil
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		slash := filepath.ToSlash(p)
		if d.IsDir() {
			if d.Name() == "CloudTrail-Digest" {
				return filepath.SkipDir
			}
			if p != root && w.outside(slash+"/") {
				skipped++
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if w.outside(slash) {
			skipped++
			return nil
		}
		if !yield(Item{Input: fileInput(p)}) {
			cont = false
			return filepath.SkipAll
		}
		return nil
	})
	if err != nil && cont {
		cont = yield(Item{Fail: &Problem{Input: root, Reason: err.Error()}})
	}
	if cont && skipped > 0 {
		cont = yield(Item{Skip: &Problem{Input: root, Reason: fmt.Sprintf("%d date folders or files outside --since/--until", skipped)}})
	}
	return cont
}

// unwrapPathError drops the path from an fs.PathError (the caller names the
// input already).
func unwrapPathError(err error) string {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Op + ": " + pe.Err.Error()
	}
	return err.Error()
}
